package validate

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// Image is what the final stage of the Dockerfile declares, as parsed by BuildKit's own Dockerfile parser.
type Image struct {
	Stages      []instructions.Stage
	User        string
	Expose      []string
	Env         map[string]string
	Volumes     []string
	Entrypoint  []string
	Cmd         []string
	AptPackages map[string]bool // every package an `apt-get install` in any stage names
}

var aptInstallRe = regexp.MustCompile(`apt-get\s+install\s+(.*)`)

// ParseDockerfile parses the Dockerfile with BuildKit's parser and instruction decoder, running BuildKit's lint
// rules (those of `docker build --check`); any parser or lint warning is an error.
func ParseDockerfile(path string) (*Image, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	res, err := parser.Parse(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var problems []string
	for _, w := range res.Warnings {
		problems = append(problems, w.Short)
	}
	lint := linter.New(&linter.Config{Warn: func(rule, desc, url, msg string, loc []parser.Range) {
		line := 0
		if len(loc) > 0 {
			line = loc[0].Start.Line
		}
		problems = append(problems, fmt.Sprintf("line %d: %s: %s", line, rule, msg))
	}})
	stages, metaArgs, err := instructions.Parse(res.AST, lint)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	// Base images with the global ARGs' defaults filled in.
	for i := range stages {
		for _, a := range metaArgs {
			for _, kv := range a.Args {
				if kv.Value != nil {
					stages[i].BaseName = strings.ReplaceAll(stages[i].BaseName, "${"+kv.Key+"}", *kv.Value)
				}
			}
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%s: %s", path, strings.Join(problems, "; "))
	}
	img := &Image{Stages: stages, Env: map[string]string{}, AptPackages: map[string]bool{}}
	for i, st := range stages {
		final := i == len(stages)-1
		for _, cmd := range st.Commands {
			switch c := cmd.(type) {
			case *instructions.RunCommand:
				for _, m := range aptInstallRe.FindAllStringSubmatch(strings.Join(c.CmdLine, " "), -1) {
					for _, w := range strings.Fields(m[1]) {
						if w == "&&" || w == ";" {
							break
						}
						if !strings.HasPrefix(w, "-") && w != "\\" {
							img.AptPackages[w] = true
						}
					}
				}
			}
			if !final {
				continue
			}
			switch c := cmd.(type) {
			case *instructions.UserCommand:
				img.User = c.User
			case *instructions.ExposeCommand:
				img.Expose = append(img.Expose, c.Ports...)
			case *instructions.EnvCommand:
				for _, kv := range c.Env {
					img.Env[kv.Key] = kv.Value
				}
			case *instructions.VolumeCommand:
				img.Volumes = append(img.Volumes, c.Volumes...)
			case *instructions.EntrypointCommand:
				img.Entrypoint = c.CmdLine
			case *instructions.CmdCommand:
				img.Cmd = c.CmdLine
			}
		}
	}
	return img, nil
}

// CheckBuildContext checks the COPY instructions against the build context (contextDir, with its
// .dockerignore): every source from the context exists and is not ignored, and every --from names an earlier
// stage.
func CheckBuildContext(img *Image, contextDir string) []error {
	var errs []error
	var ignore []string
	if f, err := os.Open(filepath.Join(contextDir, ".dockerignore")); err == nil {
		ignore, err = ignorefile.ReadAll(f)
		f.Close()
		if err != nil {
			errs = append(errs, fmt.Errorf(".dockerignore: %w", err))
		}
	}
	pm, err := patternmatcher.New(ignore)
	if err != nil {
		return append(errs, fmt.Errorf(".dockerignore: %w", err))
	}
	seen := map[string]bool{}
	for _, st := range img.Stages {
		for _, cmd := range st.Commands {
			c, ok := cmd.(*instructions.CopyCommand)
			if !ok {
				continue
			}
			if c.From != "" {
				if !seen[c.From] {
					errs = append(errs, fmt.Errorf("COPY --from=%s: no earlier stage of that name", c.From))
				}
				continue
			}
			for _, src := range c.SourcePaths {
				if src == "." {
					continue
				}
				if _, err := os.Stat(filepath.Join(contextDir, src)); err != nil {
					errs = append(errs, fmt.Errorf("COPY %s: not in the build context", src))
				} else if excluded, _ := pm.MatchesOrParentMatches(filepath.ToSlash(src)); excluded {
					errs = append(errs, fmt.Errorf("COPY %s: excluded by .dockerignore", src))
				}
			}
		}
		seen[st.Name] = true
	}
	return errs
}

// SetupPackages returns the Debian packages scripts/setup.sh installs, by the comment heading each group
// (e.g. "toolchain", "C++ dependencies").
func SetupPackages(path string) (map[string][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	groups := map[string][]string{}
	in, group := false, ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "APT_PACKAGES=("):
			in = true
		case in && line == ")":
			in = false
		case in && strings.HasPrefix(line, "#"):
			group = strings.TrimSpace(strings.TrimPrefix(line, "#"))
		case in && line != "":
			groups[group] = append(groups[group], strings.Fields(line)...)
		}
	}
	if len(groups) == 0 {
		return nil, fmt.Errorf("%s: no APT_PACKAGES list", path)
	}
	return groups, sc.Err()
}
