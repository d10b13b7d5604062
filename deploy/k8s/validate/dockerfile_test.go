package validate

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/filesys"
)

const (
	repoRoot   = "../../.."
	dockerfile = "../../docker/Dockerfile"
)

// The Dockerfile parses and passes BuildKit's lint rules, its COPY sources are in the build context, and the
// image it declares is the one the manifests expect (user, port, plugin folder, entry point modes).
func TestDockerfileMatchesManifests(t *testing.T) {
	img, err := ParseDockerfile(dockerfile)
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range CheckBuildContext(img, repoRoot) {
		t.Error(err)
	}
	if len(img.Stages) < 2 {
		t.Fatalf("want a multi-stage build, got %d stage(s)", len(img.Stages))
	}
	final := img.Stages[len(img.Stages)-1]
	if !strings.HasPrefix(final.BaseName, "debian:") || !strings.HasSuffix(final.BaseName, "-slim") {
		t.Errorf("runtime stage is FROM %s, want a debian slim image", final.BaseName)
	}
	for _, st := range img.Stages {
		if !strings.HasPrefix(st.BaseName, "debian:bookworm") && !strings.HasPrefix(st.BaseName, "debian:12") {
			t.Errorf("stage %q is FROM %s, want Debian 12 (bookworm), as the project's machines", st.Name, st.BaseName)
		}
	}
	// Build packages: scripts/setup.sh's C++ dependencies, and the build tools of its toolchain group (the rest
	// of that group, such as curl, git or openssl, serves other parts of the project).
	groups, err := SetupPackages(filepath.Join(repoRoot, "scripts", "setup.sh"))
	if err != nil {
		t.Fatal(err)
	}
	buildTools := map[string]bool{"cmake": true, "ninja-build": true, "g++": true, "gcc": true, "clang": true,
		"pkg-config": true, "make": true}
	for _, g := range []string{"toolchain", "C++ dependencies"} {
		if len(groups[g]) == 0 {
			t.Errorf("scripts/setup.sh has no %q group", g)
		}
		for _, p := range groups[g] {
			if (g != "toolchain" || buildTools[p]) && !img.AptPackages[p] {
				t.Errorf("scripts/setup.sh installs %s (%s) but the Dockerfile does not", p, g)
			}
		}
	}

	objs, err := renderCheck(filesys.MakeFsOnDisk(), "../base")
	if err != nil {
		t.Fatal(err)
	}
	server := container(objs.Deployments[0], "server")
	for _, d := range objs.Deployments {
		if c := container(d, "server"); c != nil {
			server = c
			pod := d.Spec.Template.Spec
			uid, gid, _ := strings.Cut(img.User, ":")
			if _, err := strconv.Atoi(uid); err != nil || uid == "0" {
				t.Errorf("image USER %q: want a numeric non-root uid (runAsNonRoot needs a number)", img.User)
			}
			if pod.SecurityContext == nil || pod.SecurityContext.RunAsUser == nil ||
				strconv.FormatInt(*pod.SecurityContext.RunAsUser, 10) != uid {
				t.Errorf("image USER %s differs from the server pod's runAsUser", img.User)
			}
			if gid != "" && (pod.SecurityContext.RunAsGroup == nil ||
				strconv.FormatInt(*pod.SecurityContext.RunAsGroup, 10) != gid) {
				t.Errorf("image group %s differs from the server pod's runAsGroup", gid)
			}
			env := (&checker{o: objs}).envOf(d.Namespace, c)
			if img.Env[pluginDirEnv] != env[pluginDirEnv] {
				t.Errorf("image %s=%q, manifests %q", pluginDirEnv, img.Env[pluginDirEnv], env[pluginDirEnv])
			}
			grpcPort := findPort(c, intstrName("grpc"))
			if grpcPort == nil || !contains(img.Expose, strconv.Itoa(int(grpcPort.ContainerPort))) {
				t.Errorf("image EXPOSE %v lacks the server's gRPC port", img.Expose)
			}
			if !strings.HasSuffix(img.Env[serverFlagsEnv], ":"+strconv.Itoa(int(grpcPort.ContainerPort))) {
				t.Errorf("image %s=%q does not listen on port %d", serverFlagsEnv, img.Env[serverFlagsEnv],
					grpcPort.ContainerPort)
			}
			// Each container's first argument is a mode the entry point handles.
			script, err := os.ReadFile(filepath.Join(repoRoot, "deploy", "docker", "entrypoint.sh"))
			if err != nil {
				t.Fatal(err)
			}
			for _, ct := range pod.Containers {
				if len(ct.Command) > 0 {
					t.Errorf("container %s overrides the image's entry point", ct.Name)
				}
				if len(ct.Args) == 0 || !strings.Contains(string(script), "\n  "+ct.Args[0]+")") {
					t.Errorf("container %s: args %v do not start with a mode of entrypoint.sh", ct.Name, ct.Args)
				}
			}
		}
	}
	if server == nil {
		t.Fatal("no server container")
	}
	if !contains(img.Volumes, img.Env[pluginDirEnv]) {
		t.Errorf("the plugin folder %s is not a VOLUME (a read-only root filesystem needs it writable)",
			img.Env[pluginDirEnv])
	}
	if len(img.Entrypoint) == 0 || !strings.HasSuffix(img.Entrypoint[0], "docanalysis-entrypoint") {
		t.Errorf("ENTRYPOINT %v is not the entry point script", img.Entrypoint)
	}
	t.Logf("Dockerfile: %d stages, runtime FROM %s, USER %s, EXPOSE %v, VOLUME %v, %d build packages",
		len(img.Stages), final.BaseName, img.User, img.Expose, img.Volumes, len(img.AptPackages))
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s || strings.HasPrefix(x, s+"/") {
			return true
		}
	}
	return false
}

// A Dockerfile that BuildKit's linter flags, or whose COPY reaches outside the context, is rejected.
func TestDockerfileChecksCanFail(t *testing.T) {
	dir := t.TempDir()
	bad := "FROM debian:bookworm as build\nRUN true\nFROM debian:bookworm-slim\nCOPY --from=nosuchstage /x /x\n" +
		"COPY missing.sh /usr/local/bin/\n"
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ParseDockerfile(filepath.Join(dir, "Dockerfile")); err == nil || !strings.Contains(err.Error(), "FromAsCasing") {
		t.Errorf("lint: want a FromAsCasing warning, got %v", err)
	} else {
		t.Logf("rejected: %v", err)
	}
	good := strings.Replace(bad, " as build", " AS build", 1)
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(good), 0o644); err != nil {
		t.Fatal(err)
	}
	img, err := ParseDockerfile(filepath.Join(dir, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	errs := CheckBuildContext(img, dir)
	if len(errs) != 2 {
		t.Fatalf("want 2 context errors (unknown stage, missing file), got %v", errs)
	}
	t.Logf("rejected: %v; %v", errs[0], errs[1])
}
