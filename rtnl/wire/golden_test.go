package wire

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// goldenInputs returns the hex inputs in testdata: requests iproute2 (or
// rtnl) sent and the kernel's answers, captured in the sandbox.
func goldenInputs(t testing.TB) map[string][]Datagram {
	t.Helper()
	files, err := filepath.Glob("testdata/*.hex")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden inputs in testdata: %v", err)
	}
	out := make(map[string][]Datagram)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		ds, format, err := ReadDatagrams(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if format != FormatHex || len(ds) == 0 {
			t.Fatalf("%s: read as %v with %d datagrams, want hex with some", f, format, len(ds))
		}
		out[strings.TrimSuffix(filepath.Base(f), ".hex")] = ds
	}
	return out
}

// annotateText annotates the datagrams in order with one Annotator, as
// --trace and decode do, and returns the text view.
func annotateText(ds []Datagram) string {
	a := NewAnnotator(testKinds)
	var b strings.Builder
	for _, d := range ds {
		a.Annotate(d).WriteText(&b)
		b.WriteString("\n")
	}
	return b.String()
}

func annotateJSON(t testing.TB, ds []Datagram) string {
	a := NewAnnotator(testKinds)
	b, err := json.MarshalIndent(a.AnnotateAll(ds), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b) + "\n"
}

// TestGolden compares the text view (and for the smaller cases the JSON
// view) of every capture in testdata with its golden file. Run with
// -update to rewrite them after a deliberate change, and read the diff.
func TestGolden(t *testing.T) {
	for name, ds := range goldenInputs(t) {
		t.Run(name, func(t *testing.T) {
			checkGolden(t, "testdata/"+name+".golden", annotateText(ds))
			if name != "link_dump" {
				checkGolden(t, "testdata/"+name+".json", annotateJSON(t, ds))
			}
		})
	}
}

func checkGolden(t *testing.T, file, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if want := string(b); want != got {
		t.Errorf("%s differs from the annotation:\n%s", file, firstDiff(want, got))
	}
}

// firstDiff shows the first line where want and got part.
func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(wl), len(gl)); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\nwant: " + w + "\ngot:  " + g
		}
	}
	return "(same lines)"
}
