package validate

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// The kustomizations under deploy/k8s, relative to this folder.
var kustomizations = []string{"../base", "../overlays/dev", "../overlays/prod"}

// renderCheck renders dir from fs, decodes strictly and runs the cross-object checks.
func renderCheck(fs filesys.FileSystem, dir string) (*Objects, error) {
	docs, err := Render(fs, dir)
	if err != nil {
		return nil, err
	}
	objs, errs := Decode(docs)
	errs = append(errs, Check(objs)...)
	return objs, errors.Join(errs...)
}

func TestKustomizationsAreValid(t *testing.T) {
	for _, dir := range kustomizations {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			objs, err := renderCheck(filesys.MakeFsOnDisk(), dir)
			if err != nil {
				t.Fatalf("%s:\n%v", dir, err)
			}
			server := objs.Deployments[0]
			for _, d := range objs.Deployments {
				if d.Spec.Template.Labels[componentLabel] == "server" {
					server = d
				}
			}
			t.Logf("%s: %d objects (%d Deployments, %d Services, %d ConfigMaps, %d HPAs, %d PDBs, %d PVCs, "+
				"%d Namespaces); server replicas %d", dir, objs.Count, len(objs.Deployments), len(objs.Services),
				len(objs.ConfigMaps), len(objs.HPAs), len(objs.PDBs), len(objs.PVCs), len(objs.Namespaces),
				*server.Spec.Replicas)
		})
	}
}

func TestBaseHasThreeServerReplicas(t *testing.T) {
	objs, err := renderCheck(filesys.MakeFsOnDisk(), "../base")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range objs.Deployments {
		if d.Spec.Template.Labels[componentLabel] == "server" && *d.Spec.Replicas != 3 {
			t.Errorf("base server replicas = %d, want 3", *d.Spec.Replicas)
		}
	}
}

// copyBase loads deploy/k8s/base into an in-memory file system at /base.
func copyBase(t *testing.T) filesys.FileSystem {
	t.Helper()
	fs := filesys.MakeFsInMemory()
	entries, err := os.ReadDir("../base")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join("../base", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := fs.WriteFile("/base/"+e.Name(), b); err != nil {
			t.Fatal(err)
		}
	}
	return fs
}

// Each case breaks the real base in one place; the validation must name the problem.
func TestRejectsBrokenManifests(t *testing.T) {
	cases := []struct {
		name, file, old, new, want string
	}{
		{"unknown field", "server-deployment.yaml", "readOnlyRootFilesystem: true", "readOnlyRootFileSystem: true",
			`unknown field "spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem"`},
		{"wrong type", "server-deployment.yaml", "replicas: 3", "replicas: three", "cannot unmarshal"},
		{"wrong type in port", "server-deployment.yaml", "containerPort: 50051", `containerPort: "50051"`,
			"cannot unmarshal"},
		{"probe port", "server-deployment.yaml", "port: 50051\n              service: \"\"\n            periodSeconds: 5",
			"port: 50052\n              service: \"\"\n            periodSeconds: 5", "gRPC probe port 50052"},
		{"service target port", "server-services.yaml", "targetPort: grpc", "targetPort: grpc-tls",
			"targets grpc-tls"},
		{"service selector", "proxy-service.yaml", "component: proxy\n  ports", "component: prox\n  ports",
			"matches 0 Deployments"},
		{"PDB selector", "server-pdb.yaml", "      app.kubernetes.io/component: server", "      app.kubernetes.io/component: srv",
			"matches 0 Deployments"},
		{"HPA target", "server-hpa.yaml", "    name: docanalysis-server", "    name: docanalysis", "is not rendered"},
		{"HPA range", "server-hpa.yaml", "maxReplicas: 10", "maxReplicas: 2", "inconsistent"},
		{"grace period", "server-deployment.yaml", "terminationGracePeriodSeconds: 45",
			"terminationGracePeriodSeconds: 20", "must exceed the preStop sleep"},
		{"listen port", "server.env", "0.0.0.0:50051", "0.0.0.0:6000", "but its container port grpc is 50051"},
		{"drain longer than grace", "server.env", "--shutdown_timeout_ms=20000", "--shutdown_timeout_ms=40000",
			"must exceed the preStop sleep"},
		{"metrics port", "server.env", "--metrics_listen=0.0.0.0:9090", "--metrics_listen=0.0.0.0:9191",
			"--metrics_listen port 9191"},
		{"writable root", "server-deployment.yaml", "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false",
			"root filesystem must be read-only"},
		{"root user", "server-deployment.yaml", "runAsUser: 10001", "runAsUser: 0", "runAsUser 0"},
		{"proxy backend", "proxy-deployment.yaml", "value: docanalysis-headless", "value: docanalysis",
			"is not headless"},
		{"proxy soft stop", "proxy-haproxy.cfg", "hard-stop-after 30s", "hard-stop-after 60s",
			"plus hard-stop-after (60s)"},
		{"proxy bind", "proxy-haproxy.cfg", "bind :50051", "bind :50052", "binds port 50052"},
		{"missing limit", "server-deployment.yaml", "            limits:\n              cpu: \"2\"\n",
			"            limits:\n", "needs both a request and a limit for cpu"},
		{"unknown kind", "server-pdb.yaml", "apiVersion: policy/v1", "apiVersion: policy/v1beta1",
			"no kind \"PodDisruptionBudget\" is registered for version \"policy/v1beta1\""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fs := copyBase(t)
			b, err := fs.ReadFile("/base/" + tc.file)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(b), tc.old) {
				t.Fatalf("%s no longer contains %q: update this case", tc.file, tc.old)
			}
			if err := fs.WriteFile("/base/"+tc.file, []byte(strings.Replace(string(b), tc.old, tc.new, 1))); err != nil {
				t.Fatal(err)
			}
			_, err = renderCheck(fs, "/base")
			if err == nil {
				t.Fatalf("accepted a base with %s", tc.name)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error does not mention %q:\n%v", tc.want, err)
			}
			t.Logf("rejected: %s", firstLine(err.Error(), tc.want))
		})
	}
}

func firstLine(s, want string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, want) {
			return l
		}
	}
	return s
}
