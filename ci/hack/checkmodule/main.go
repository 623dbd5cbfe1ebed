// Command checkmodule type-checks a Dagger Go module without a Dagger engine.
//
// The engine generates the module's dagger.gen.go and internal/dagger/ from
// the API schema; neither can be generated here, so checkmodule writes
// stand-ins and compiles the module with `go build -overlay`:
//
//   - internal/dagger aliases every exported identifier of the published Go
//     SDK, dagger.io/dagger, at the version the module's go.mod requires
//     (v0.21.9, the API version the engine generates for this module). The
//     identifiers come from the compiler's export data of that package
//     (go list -export + go/importer), so nothing is listed by hand and a
//     function or option the API does not have fails to compile.
//   - dagger.gen.go declares dag, DaggerObject, ExecError and the helpers
//     the generated code gives module authors.
//   - for each local dependency in dagger.json (the tests module depends on
//     the main module), the constructor, methods and option structs the
//     generator would emit, derived from the dependency's Go source.
//
// Usage: go run ./hack/checkmodule -config ../dagger.json (from ci/).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"

	// The stand-in aliases exactly this package. Importing it here is also
	// what keeps ci/go.mod's requirement on dagger.io/dagger: the engine's
	// generated code imports querybuilder and friends instead, and the engine
	// runs `go mod tidy`, which would otherwise drop the requirement.
	sdk "dagger.io/dagger"
)

// sdkPath is the import path of the SDK the stand-in aliases.
var sdkPath = reflect.TypeFor[sdk.Client]().PkgPath()

// dependency is one entry of dagger.json "dependencies".
type dependency struct {
	Name   string `json:"name"`
	Source string `json:"source"`
}

// config is the part of dagger.json checkmodule reads.
type config struct {
	Name          string       `json:"name"`
	SDK           any          `json:"sdk"`
	Source        string       `json:"source"`
	EngineVersion string       `json:"engineVersion"`
	Dependencies  []dependency `json:"dependencies"`
}

func readConfig(path string) (config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return config{}, fmt.Errorf("read module config: %w", err)
	}
	var c config
	if err := json.Unmarshal(b, &c); err != nil {
		return config{}, fmt.Errorf("parse module config %s: %w", path, err)
	}
	if c.Name == "" {
		return config{}, fmt.Errorf("module config %s: no name", path)
	}
	if c.Source == "" {
		c.Source = "."
	}
	return c, nil
}

// goModulePath returns the module path declared in dir/go.mod.
func goModulePath(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return "", fmt.Errorf("read go.mod of the module source: %w", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "module" {
			return strings.Trim(f[1], `"`), nil
		}
	}
	return "", fmt.Errorf("%s/go.mod declares no module path", dir)
}

// Check type-checks the module configured by the dagger.json at
// configPath. work is a scratch directory for the stand-ins. The returned
// error holds the compiler's output.
func Check(ctx context.Context, configPath, work string) error {
	cfg, err := readConfig(configPath)
	if err != nil {
		return err
	}
	configDir := filepath.Dir(configPath)
	srcDir, err := filepath.Abs(filepath.Join(configDir, cfg.Source))
	if err != nil {
		return fmt.Errorf("module source: %w", err)
	}
	modPath, err := goModulePath(srcDir)
	if err != nil {
		return err
	}
	sdkPkg, err := loadSDK(srcDir, sdkPath)
	if err != nil {
		return fmt.Errorf("load %s: %w", sdkPath, err)
	}
	deps, err := dependencyBindings(configDir, cfg.Dependencies)
	if err != nil {
		return err
	}
	inner, err := standIn(sdkPkg, deps)
	if err != nil {
		return err
	}
	innerFile := filepath.Join(work, "internal_dagger.gen.go")
	mainFile := filepath.Join(work, "main_dagger.gen.go")
	if err := os.WriteFile(innerFile, inner, 0o644); err != nil {
		return fmt.Errorf("write stand-in: %w", err)
	}
	if err := os.WriteFile(mainFile, mainStandIn(modPath+"/internal/dagger"), 0o644); err != nil {
		return fmt.Errorf("write stand-in: %w", err)
	}
	overlay, err := json.Marshal(map[string]map[string]string{"Replace": {
		filepath.Join(srcDir, "dagger.gen.go"):                       mainFile,
		filepath.Join(srcDir, "internal", "dagger", "dagger.gen.go"): innerFile,
	}})
	if err != nil {
		return fmt.Errorf("encode overlay: %w", err)
	}
	overlayFile := filepath.Join(work, "overlay.json")
	if err := os.WriteFile(overlayFile, overlay, 0o644); err != nil {
		return fmt.Errorf("write overlay: %w", err)
	}
	// go vet's analysis tool changes into each package's directory, which
	// the overlay cannot provide; make the (git-ignored) directory exist for
	// the duration of the check when the engine has not generated it.
	internalDir := filepath.Join(srcDir, "internal", "dagger")
	if _, err := os.Stat(internalDir); errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(internalDir, 0o755); err != nil {
			return fmt.Errorf("create %s for go vet: %w", internalDir, err)
		}
		defer os.Remove(internalDir)
	}
	for _, args := range [][]string{
		{"build", "-overlay", overlayFile, "-o", os.DevNull, "."},
		{"vet", "-overlay", overlayFile, "."},
		// The module's own unit tests (argument validation) run against the
		// stand-ins too: they never reach the engine.
		{"test", "-overlay", overlayFile, "-count=1", "."},
	} {
		cmd := exec.CommandContext(ctx, "go", args...)
		cmd.Dir = srcDir
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("module %s (%s): go %s against %s stand-ins failed:\n%s", cfg.Name, srcDir, args[0], sdkPath, out)
		}
	}
	return nil
}

func main() {
	configPath := flag.String("config", "../dagger.json", "the module's dagger.json")
	keep := flag.Bool("keep", false, "keep the generated stand-ins and print where")
	flag.Parse()
	work, err := os.MkdirTemp("", "checkmodule-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "checkmodule:", err)
		os.Exit(2)
	}
	if *keep {
		fmt.Println("stand-ins in", work)
	} else {
		defer os.RemoveAll(work)
	}
	err = Check(context.Background(), *configPath, work)
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		fmt.Printf("checkmodule: %s type-checks against %s\n", *configPath, sdkPath)
	case errors.As(err, &exitErr):
		fmt.Fprintln(os.Stderr, "checkmodule:", err)
		os.Exit(1)
	default:
		fmt.Fprintln(os.Stderr, "checkmodule:", err)
		if !*keep {
			os.RemoveAll(work)
		}
		os.Exit(1)
	}
}
