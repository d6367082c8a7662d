package nsfs

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// switchFile is the one file of the tree that may call setns or unshare.
const switchFile = "nsfs/thread_linux.go"

// nsCalls are the identifiers of package unix or syscall that switch or
// make namespaces on the calling thread.
var nsCalls = []string{"Setns", "Unshare", "SYS_SETNS", "SYS_UNSHARE"}

// nsUses returns what in f switches namespaces on a thread of the
// process: uses of nsCalls through an import of golang.org/x/sys/unix or
// syscall (under any name), and dot imports of those packages, which would
// hide the calls. Comments and strings do not count, and neither do
// SysProcAttr.Cloneflags and Unshareflags, which act in a child process
// only (nstest and the veth tests start children in new namespaces so).
func nsUses(fset *token.FileSet, f *ast.File) (calls []string) {
	pkgs := map[string]bool{}
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		if path != "golang.org/x/sys/unix" && path != "syscall" {
			continue
		}
		name := filepath.Base(path)
		if imp.Name != nil {
			name = imp.Name.Name
		}
		if name == "." {
			calls = append(calls, fset.Position(imp.Pos()).String()+": dot import of "+path)
		}
		pkgs[name] = true
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			if id, ok := n.X.(*ast.Ident); ok && id.Obj == nil && pkgs[id.Name] && slices.Contains(nsCalls, n.Sel.Name) {
				calls = append(calls, fset.Position(n.Pos()).String()+": "+id.Name+"."+n.Sel.Name)
			}
		}
		return true
	})
	return calls
}

func TestNSUsesDetector(t *testing.T) {
	for _, tt := range []struct {
		src   string
		calls int
	}{
		{`import "golang.org/x/sys/unix"; func f() { unix.Setns(0, 0) }`, 1},
		{`import u "golang.org/x/sys/unix"; func f() { u.Unshare(0) }`, 1},
		{`import "syscall"; func f() { syscall.Unshare(0) }`, 1},
		{`import "syscall"; func f() { syscall.RawSyscall(syscall.SYS_SETNS, 0, 0, 0) }`, 1},
		{`import "golang.org/x/sys/unix"; func f() { unix.Syscall(unix.SYS_UNSHARE, 0, 0, 0) }`, 1},
		{`import . "golang.org/x/sys/unix"; func f() { Setns(0, 0) }`, 1},
		{`import "golang.org/x/sys/unix"; func f() { g := unix.Setns; g(0, 0) }`, 1},
		// Not uses: comments, strings, other packages, local names,
		// namespaces made for a child.
		{`import "golang.org/x/sys/unix"; // unix.Setns(fd, 0)
var s = "unix.Unshare"; var _ = unix.Getpid`, 0},
		{`type T struct{}; func (T) Setns() {}; func f(unix T) { unix.Setns() }`, 0},
		{`import "syscall"; var a = syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET}`, 0},
	} {
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, "x.go", "package x; "+tt.src, parser.ParseComments)
		if err != nil {
			t.Fatalf("%s: %v", tt.src, err)
		}
		if calls := nsUses(fset, f); len(calls) != tt.calls {
			t.Errorf("%s: want %d uses, got %v", tt.src, tt.calls, calls)
		}
	}
}

// Only one file of the tree, tests included, calls setns or unshare.
func TestTreeSetns(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root %s: %v", root, err)
	}
	self, err := filepath.Abs("tree_test.go")
	if err != nil {
		t.Fatal(err)
	}
	var files, switchers []string
	err = filepath.WalkDir(root, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() && (e.Name() == ".git" || strings.HasPrefix(e.Name(), "_")) {
			return filepath.SkipDir
		}
		if e.IsDir() || !strings.HasSuffix(path, ".go") || path == self {
			return nil
		}
		files = append(files, path)
		rel, _ := filepath.Rel(root, path)
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			return nil
		}
		if calls := nsUses(fset, f); len(calls) > 0 {
			switchers = append(switchers, rel)
			if rel != switchFile {
				t.Errorf("%s switches namespaces; only %s may: %v", rel, switchFile, calls)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{switchFile}; !slices.Equal(want, switchers) {
		t.Errorf("files that switch namespaces: want %v, got %v (of %d files)", want, switchers, len(files))
	}
}
