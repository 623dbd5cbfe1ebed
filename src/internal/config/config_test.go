package config

import (
	"errors"
	"flag"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func defaults() Config {
	c, err := Load(nil, nil, "host-1", io.Discard)
	if err != nil {
		panic(err)
	}
	return c
}

func TestLoad(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     []string
		want    func(*Config)
		wantErr []string
	}{
		{name: "defaults", want: func(*Config) {}},
		{
			name: "env sets values",
			env:  []string{"PODINFO_PORT=8080", "PODINFO_UI_COLOR=#ff0000", "PODINFO_RANDOM_ERROR=true", "PODINFO_SERVER_SHUTDOWN_TIMEOUT=9s", "HOME=/root", "PORT=1"},
			want: func(c *Config) {
				c.Port = 8080
				c.UIColor = "#ff0000"
				c.RandomError = true
				c.ServerShutdownTimeout = 9 * time.Second
			},
		},
		{
			name: "flag wins over env",
			args: []string{"--port=7070", "--level", "warn"},
			env:  []string{"PODINFO_PORT=8080", "PODINFO_LEVEL=debug"},
			want: func(c *Config) { c.Port = 7070; c.Level = "warn" },
		},
		{
			name:    "bad env value names the variable",
			env:     []string{"PODINFO_PORT=eighty"},
			wantErr: []string{"PODINFO_PORT", `"eighty"`},
		},
		{
			name:    "bad flag",
			args:    []string{"--nope"},
			wantErr: []string{"flag provided but not defined: -nope"},
		},
		{
			name:    "positional argument",
			args:    []string{"serve"},
			wantErr: []string{`unexpected argument "serve"`},
		},
		{
			name:    "level",
			args:    []string{"--level=loud"},
			wantErr: []string{"--level (PODINFO_LEVEL)", `"loud"`},
		},
		{
			name:    "delay cap below server timeout",
			args:    []string{"--delay-max=30", "--http-server-timeout=30s"},
			wantErr: []string{"--delay-max (PODINFO_DELAY_MAX)", "below --http-server-timeout"},
		},
		{
			name:    "several errors at once",
			args:    []string{"--port=70000", "--random-delay-unit=h", "--server-shutdown-timeout=0s"},
			wantErr: []string{"--port", "--random-delay-unit", "--server-shutdown-timeout"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Load(tt.args, tt.env, "host-1", io.Discard)
			if len(tt.wantErr) > 0 {
				if err == nil {
					t.Fatalf("Load() = %+v, want error containing %q", got, tt.wantErr)
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not contain %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("Load(): %v", err)
			}
			want := defaults()
			tt.want(&want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Load() (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDefaultsMatchPodinfo(t *testing.T) {
	c := defaults()
	got := map[string]any{
		"port": c.Port, "level": c.Level, "hostname": c.Hostname, "http-server-timeout": c.HTTPServerTimeout,
		"server-shutdown-timeout": c.ServerShutdownTimeout, "ui-color": c.UIColor, "random-delay-max": c.RandomDelayMax,
		"random-delay-unit": c.RandomDelayUnit, "ui-logo": c.UILogo,
	}
	want := map[string]any{
		"port": 9898, "level": "info", "hostname": "host-1", "http-server-timeout": 30 * time.Second,
		"server-shutdown-timeout": 5 * time.Second, "ui-color": "#34577c", "random-delay-max": 5,
		"random-delay-unit": "s", "ui-logo": DefaultLogo,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
}

func TestHelp(t *testing.T) {
	var out strings.Builder
	_, err := Load([]string{"--help"}, nil, "h", &out)
	if !errors.Is(err, ErrHelp) {
		t.Fatalf("Load(--help) error = %v, want ErrHelp", err)
	}
	if !strings.Contains(out.String(), "-server-shutdown-timeout") {
		t.Errorf("usage does not list flags:\n%s", out.String())
	}
}

// TestTagsNameFlags keeps the struct tags and the registered flags equal.
func TestTagsNameFlags(t *testing.T) {
	var c Config
	fs := newFlagSet(&c, "h")
	var flags, tags []string
	fs.VisitAll(func(f *flag.Flag) { flags = append(flags, f.Name) })
	rt := reflect.TypeOf(c)
	for i := range rt.NumField() {
		tags = append(tags, rt.Field(i).Tag.Get("flag"))
	}
	if diff := cmp.Diff(flags, tags, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("flags vs struct tags (-flags +tags):\n%s", diff)
	}
}

func TestEnvName(t *testing.T) {
	if got, want := EnvName("server-shutdown-timeout"), "PODINFO_SERVER_SHUTDOWN_TIMEOUT"; got != want {
		t.Errorf("EnvName = %q, want %q", got, want)
	}
}
