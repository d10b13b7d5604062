package validate

import (
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// The server's drain after SIGTERM: NOT_SERVING for --drain_grace_ms, then in-flight calls get up to
// --shutdown_timeout_ms. These are its defaults (service/edge/main.cc); the ConfigMap may set others. The pod's
// terminationGracePeriodSeconds must cover the preStop sleep plus both, or the kubelet would SIGKILL calls
// still in flight.
const (
	defaultDrainGraceMs      = 0
	defaultShutdownTimeoutMs = 20000
)

const (
	componentLabel = "app.kubernetes.io/component"
	serverFlagsEnv = "DOCANALYSIS_LISTEN"
	pluginDirEnv   = "DOCANALYSIS_PLUGIN_DIR"
	extraFlagsEnv  = "DOCANALYSIS_EXTRA_FLAGS"
)

// parseFlags reads "--name=value" and "--name value" pairs (the server uses Abseil flags).
func parseFlags(s string) map[string]string {
	out := map[string]string{}
	words := strings.Fields(s)
	for i := 0; i < len(words); i++ {
		w := strings.TrimLeft(words[i], "-")
		if w == words[i] {
			continue // not a flag
		}
		if k, v, ok := strings.Cut(w, "="); ok {
			out[k] = v
		} else if i+1 < len(words) && !strings.HasPrefix(words[i+1], "-") {
			out[w] = words[i+1]
			i++
		} else {
			out[w] = "true"
		}
	}
	return out
}

// flagMs returns an integer flag in milliseconds, or def when unset; ok is false for a malformed value.
func flagMs(flags map[string]string, name string, def int64) (int64, bool) {
	v, present := flags[name]
	if !present {
		return def, true
	}
	n, err := strconv.ParseInt(v, 10, 64)
	return n, err == nil && n >= 0
}

// checker gathers the errors of one rendering.
type checker struct {
	o    *Objects
	errs []error
}

func (c *checker) errorf(format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf(format, args...))
}

// Check runs the cross-object checks on one rendering and returns every problem found.
func Check(o *Objects) []error {
	c := &checker{o: o}
	c.checkNamespaces()
	server := c.deploymentByComponent("server")
	proxy := c.deploymentByComponent("proxy")
	for _, d := range o.Deployments {
		c.checkDeployment(d)
	}
	for _, s := range o.Services {
		c.checkService(s)
	}
	c.checkHPAs()
	c.checkPDBs()
	if server != nil {
		c.checkServer(server)
	}
	if proxy != nil && server != nil {
		c.checkProxy(proxy, server)
	}
	return c.errs
}

func (c *checker) checkNamespaces() {
	if len(c.o.Namespaces) == 0 {
		return
	}
	known := map[string]bool{}
	for _, n := range c.o.Namespaces {
		known[n.Name] = true
	}
	each := func(kind, ns, name string) {
		if !known[ns] {
			c.errorf("%s %s: namespace %q is not among the rendered Namespaces", kind, name, ns)
		}
	}
	for _, x := range c.o.Deployments {
		each("Deployment", x.Namespace, x.Name)
	}
	for _, x := range c.o.Services {
		each("Service", x.Namespace, x.Name)
	}
	for _, x := range c.o.ConfigMaps {
		each("ConfigMap", x.Namespace, x.Name)
	}
	for _, x := range c.o.HPAs {
		each("HorizontalPodAutoscaler", x.Namespace, x.Name)
	}
	for _, x := range c.o.PDBs {
		each("PodDisruptionBudget", x.Namespace, x.Name)
	}
	for _, x := range c.o.PVCs {
		each("PersistentVolumeClaim", x.Namespace, x.Name)
	}
}

func (c *checker) deploymentByComponent(component string) *appsv1.Deployment {
	var found []*appsv1.Deployment
	for _, d := range c.o.Deployments {
		if d.Spec.Template.Labels[componentLabel] == component {
			found = append(found, d)
		}
	}
	if len(found) != 1 {
		c.errorf("want exactly one Deployment with pod label %s=%s, found %d", componentLabel, component, len(found))
		return nil
	}
	return found[0]
}

func (c *checker) configMap(ns, name string) *corev1.ConfigMap {
	for _, m := range c.o.ConfigMaps {
		if m.Namespace == ns && m.Name == name {
			return m
		}
	}
	return nil
}

// deploymentsSelectedBy returns the Deployments in ns whose pod template labels the selector matches.
func (c *checker) deploymentsSelectedBy(ns string, sel labels.Selector) []*appsv1.Deployment {
	var out []*appsv1.Deployment
	for _, d := range c.o.Deployments {
		if d.Namespace == ns && sel.Matches(labels.Set(d.Spec.Template.Labels)) {
			out = append(out, d)
		}
	}
	return out
}

// findPort resolves a port reference (number or name) against a container's ports.
func findPort(ct *corev1.Container, p intstr.IntOrString) *corev1.ContainerPort {
	for i := range ct.Ports {
		cp := &ct.Ports[i]
		if (p.Type == intstr.String && cp.Name == p.StrVal) || (p.Type == intstr.Int && cp.ContainerPort == p.IntVal) {
			return cp
		}
	}
	return nil
}

// findPodPort resolves a port reference against all containers of a pod.
func findPodPort(spec *corev1.PodSpec, p intstr.IntOrString) *corev1.ContainerPort {
	for i := range spec.Containers {
		if cp := findPort(&spec.Containers[i], p); cp != nil {
			return cp
		}
	}
	return nil
}

func (c *checker) checkDeployment(d *appsv1.Deployment) {
	name := "Deployment " + d.Name
	if d.Spec.Selector == nil || len(d.Spec.Selector.MatchLabels)+len(d.Spec.Selector.MatchExpressions) == 0 {
		c.errorf("%s: empty selector", name)
	} else if sel, err := metav1.LabelSelectorAsSelector(d.Spec.Selector); err != nil {
		c.errorf("%s: selector: %v", name, err)
	} else if !sel.Matches(labels.Set(d.Spec.Template.Labels)) {
		c.errorf("%s: selector %s does not match the pod template labels %v", name, sel, d.Spec.Template.Labels)
	}
	if d.Spec.Replicas == nil || *d.Spec.Replicas < 1 {
		c.errorf("%s: replicas must be set and at least 1", name)
	}
	pod := &d.Spec.Template.Spec
	podNonRoot := pod.SecurityContext != nil && pod.SecurityContext.RunAsNonRoot != nil && *pod.SecurityContext.RunAsNonRoot
	if pod.SecurityContext != nil && pod.SecurityContext.RunAsUser != nil && *pod.SecurityContext.RunAsUser == 0 {
		c.errorf("%s: pod runAsUser 0", name)
	}
	volumes := map[string]*corev1.Volume{}
	for i := range pod.Volumes {
		v := &pod.Volumes[i]
		if volumes[v.Name] != nil {
			c.errorf("%s: volume %q defined twice", name, v.Name)
		}
		volumes[v.Name] = v
		if v.ConfigMap != nil && c.configMap(d.Namespace, v.ConfigMap.Name) == nil {
			c.errorf("%s: volume %q uses ConfigMap %q, which is not rendered", name, v.Name, v.ConfigMap.Name)
		}
		if v.PersistentVolumeClaim != nil && !c.hasPVC(d.Namespace, v.PersistentVolumeClaim.ClaimName) {
			c.errorf("%s: volume %q uses claim %q, which is not rendered", name, v.Name, v.PersistentVolumeClaim.ClaimName)
		}
	}
	if len(pod.Containers) == 0 {
		c.errorf("%s: no containers", name)
	}
	for i := range pod.Containers {
		ct := &pod.Containers[i]
		cname := fmt.Sprintf("%s container %s", name, ct.Name)
		if ct.Image == "" {
			c.errorf("%s: no image", cname)
		}
		c.checkResources(cname, ct)
		c.checkSecurity(cname, ct, podNonRoot)
		seen := map[string]bool{}
		for _, p := range ct.Ports {
			if p.Name != "" && seen[p.Name] {
				c.errorf("%s: port name %q used twice", cname, p.Name)
			}
			seen[p.Name] = true
		}
		for _, pr := range []struct {
			kind  string
			probe *corev1.Probe
		}{{"startupProbe", ct.StartupProbe}, {"readinessProbe", ct.ReadinessProbe}, {"livenessProbe", ct.LivenessProbe}} {
			if pr.probe != nil {
				c.checkProbe(cname+" "+pr.kind, ct, pr.probe)
			}
		}
		if findPort(ct, intstr.FromString("grpc")) != nil && (ct.ReadinessProbe == nil || ct.LivenessProbe == nil) {
			c.errorf("%s: serves port \"grpc\" but lacks a readiness or liveness probe", cname)
		}
		for _, m := range ct.VolumeMounts {
			if volumes[m.Name] == nil {
				c.errorf("%s: mounts volume %q, which the pod does not define", cname, m.Name)
			}
		}
		for _, e := range ct.EnvFrom {
			if e.ConfigMapRef != nil && c.configMap(d.Namespace, e.ConfigMapRef.Name) == nil {
				c.errorf("%s: envFrom ConfigMap %q is not rendered", cname, e.ConfigMapRef.Name)
			}
		}
		for _, e := range ct.Env {
			if e.ValueFrom != nil && e.ValueFrom.ConfigMapKeyRef != nil {
				ref := e.ValueFrom.ConfigMapKeyRef
				if m := c.configMap(d.Namespace, ref.Name); m == nil {
					c.errorf("%s: env %s uses ConfigMap %q, which is not rendered", cname, e.Name, ref.Name)
				} else if _, ok := m.Data[ref.Key]; !ok {
					c.errorf("%s: env %s uses key %q, which ConfigMap %q lacks", cname, e.Name, ref.Key, ref.Name)
				}
			}
		}
		if ct.Lifecycle != nil && ct.Lifecycle.PreStop != nil && ct.Lifecycle.PreStop.Sleep != nil {
			grace := int64(30)
			if pod.TerminationGracePeriodSeconds != nil {
				grace = *pod.TerminationGracePeriodSeconds
			}
			if ct.Lifecycle.PreStop.Sleep.Seconds >= grace {
				c.errorf("%s: preStop sleep %ds is not shorter than terminationGracePeriodSeconds %d", cname,
					ct.Lifecycle.PreStop.Sleep.Seconds, grace)
			}
		}
	}
}

func (c *checker) hasPVC(ns, name string) bool {
	for _, p := range c.o.PVCs {
		if p.Namespace == ns && p.Name == name {
			return true
		}
	}
	return false
}

func (c *checker) checkResources(cname string, ct *corev1.Container) {
	for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		req, hasReq := ct.Resources.Requests[r]
		lim, hasLim := ct.Resources.Limits[r]
		if !hasReq || !hasLim {
			c.errorf("%s: needs both a request and a limit for %s", cname, r)
			continue
		}
		if req.Cmp(lim) > 0 {
			c.errorf("%s: %s request %s is above its limit %s", cname, r, req.String(), lim.String())
		}
	}
}

func (c *checker) checkSecurity(cname string, ct *corev1.Container, podNonRoot bool) {
	sc := ct.SecurityContext
	if sc == nil {
		c.errorf("%s: no securityContext", cname)
		return
	}
	if !podNonRoot && (sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot) {
		c.errorf("%s: must run as non-root (runAsNonRoot)", cname)
	}
	if sc.RunAsUser != nil && *sc.RunAsUser == 0 {
		c.errorf("%s: runAsUser 0", cname)
	}
	if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		c.errorf("%s: root filesystem must be read-only", cname)
	}
	if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		c.errorf("%s: allowPrivilegeEscalation must be false", cname)
	}
	dropsAll := false
	if sc.Capabilities != nil {
		for _, cap := range sc.Capabilities.Drop {
			dropsAll = dropsAll || cap == "ALL"
		}
	}
	if !dropsAll {
		c.errorf("%s: must drop all capabilities", cname)
	}
}

func (c *checker) checkProbe(what string, ct *corev1.Container, p *corev1.Probe) {
	switch {
	case p.GRPC != nil:
		if findPort(ct, intstr.FromInt32(p.GRPC.Port)) == nil {
			c.errorf("%s: gRPC probe port %d is not a port of the container", what, p.GRPC.Port)
		}
	case p.HTTPGet != nil:
		if findPort(ct, p.HTTPGet.Port) == nil {
			c.errorf("%s: httpGet port %s is not a port of the container", what, p.HTTPGet.Port.String())
		}
	case p.TCPSocket != nil:
		if findPort(ct, p.TCPSocket.Port) == nil {
			c.errorf("%s: tcpSocket port %s is not a port of the container", what, p.TCPSocket.Port.String())
		}
	case p.Exec != nil:
	default:
		c.errorf("%s: no probe handler", what)
	}
}

func (c *checker) checkService(s *corev1.Service) {
	name := "Service " + s.Name
	if len(s.Spec.Selector) == 0 {
		c.errorf("%s: no selector", name)
		return
	}
	targets := c.deploymentsSelectedBy(s.Namespace, labels.SelectorFromSet(s.Spec.Selector))
	if len(targets) != 1 {
		c.errorf("%s: selector %v matches %d Deployments' pods, want 1", name, s.Spec.Selector, len(targets))
		return
	}
	pod := &targets[0].Spec.Template.Spec
	for _, p := range s.Spec.Ports {
		target := p.TargetPort
		if target.Type == intstr.Int && target.IntVal == 0 {
			target = intstr.FromInt32(p.Port)
		}
		cp := findPodPort(pod, target)
		if cp == nil {
			c.errorf("%s: port %q targets %s, which Deployment %s's containers don't expose", name, p.Name,
				target.String(), targets[0].Name)
			continue
		}
		proto := p.Protocol
		if proto == "" {
			proto = corev1.ProtocolTCP
		}
		cproto := cp.Protocol
		if cproto == "" {
			cproto = corev1.ProtocolTCP
		}
		if proto != cproto {
			c.errorf("%s: port %q is %s but the container port is %s", name, p.Name, proto, cproto)
		}
	}
}

func (c *checker) checkHPAs() {
	for _, h := range c.o.HPAs {
		name := "HorizontalPodAutoscaler " + h.Name
		ref := h.Spec.ScaleTargetRef
		if ref.Kind != "Deployment" || ref.APIVersion != "apps/v1" {
			c.errorf("%s: targets %s %s, want an apps/v1 Deployment", name, ref.APIVersion, ref.Kind)
			continue
		}
		var target *appsv1.Deployment
		for _, d := range c.o.Deployments {
			if d.Namespace == h.Namespace && d.Name == ref.Name {
				target = d
			}
		}
		if target == nil {
			c.errorf("%s: target Deployment %q is not rendered", name, ref.Name)
			continue
		}
		minR := int32(1)
		if h.Spec.MinReplicas != nil {
			minR = *h.Spec.MinReplicas
		}
		if minR < 1 || minR > h.Spec.MaxReplicas {
			c.errorf("%s: minReplicas %d and maxReplicas %d are inconsistent", name, minR, h.Spec.MaxReplicas)
		}
		if r := target.Spec.Replicas; r != nil && (*r < minR || *r > h.Spec.MaxReplicas) {
			c.errorf("%s: Deployment %s has %d replicas, outside [%d, %d]", name, target.Name, *r, minR,
				h.Spec.MaxReplicas)
		}
		if len(h.Spec.Metrics) == 0 {
			c.errorf("%s: no metrics", name)
		}
		for _, m := range h.Spec.Metrics {
			if m.Resource == nil {
				continue
			}
			for _, ct := range target.Spec.Template.Spec.Containers {
				if _, ok := ct.Resources.Requests[m.Resource.Name]; !ok {
					c.errorf("%s: scales on %s utilization but container %s has no %s request", name,
						m.Resource.Name, ct.Name, m.Resource.Name)
				}
			}
		}
	}
	if server := c.findByComponent("server"); server != nil && !c.hpaTargets(server) {
		c.errorf("no HorizontalPodAutoscaler targets Deployment %s", server.Name)
	}
}

func (c *checker) findByComponent(component string) *appsv1.Deployment {
	for _, d := range c.o.Deployments {
		if d.Spec.Template.Labels[componentLabel] == component {
			return d
		}
	}
	return nil
}

func (c *checker) hpaTargets(d *appsv1.Deployment) bool {
	for _, h := range c.o.HPAs {
		if h.Namespace == d.Namespace && h.Spec.ScaleTargetRef.Kind == "Deployment" && h.Spec.ScaleTargetRef.Name == d.Name {
			return true
		}
	}
	return false
}

func (c *checker) checkPDBs() {
	covered := map[string]bool{}
	for _, p := range c.o.PDBs {
		name := "PodDisruptionBudget " + p.Name
		if p.Spec.Selector == nil {
			c.errorf("%s: no selector", name)
			continue
		}
		sel, err := metav1.LabelSelectorAsSelector(p.Spec.Selector)
		if err != nil || sel.Empty() {
			c.errorf("%s: bad or empty selector", name)
			continue
		}
		targets := c.deploymentsSelectedBy(p.Namespace, sel)
		if len(targets) != 1 {
			c.errorf("%s: selector %s matches %d Deployments' pods, want 1", name, sel, len(targets))
			continue
		}
		d := targets[0]
		covered[d.Name] = true
		if (p.Spec.MinAvailable == nil) == (p.Spec.MaxUnavailable == nil) {
			c.errorf("%s: set exactly one of minAvailable and maxUnavailable", name)
			continue
		}
		replicas := int32(1)
		if d.Spec.Replicas != nil {
			replicas = *d.Spec.Replicas
		}
		if m := p.Spec.MinAvailable; m != nil && m.Type == intstr.Int && m.IntVal >= replicas {
			c.errorf("%s: minAvailable %d with %d replicas blocks every voluntary eviction", name, m.IntVal, replicas)
		}
		if m := p.Spec.MaxUnavailable; m != nil && m.Type == intstr.Int && m.IntVal < 1 {
			c.errorf("%s: maxUnavailable %d blocks every voluntary eviction", name, m.IntVal)
		}
	}
	for _, d := range c.o.Deployments {
		if !covered[d.Name] {
			c.errorf("Deployment %s: no PodDisruptionBudget covers its pods", d.Name)
		}
	}
}

// envOf returns a container's environment: the ConfigMaps it imports, then its own env (which wins).
func (c *checker) envOf(ns string, ct *corev1.Container) map[string]string {
	env := map[string]string{}
	for _, e := range ct.EnvFrom {
		if e.ConfigMapRef != nil {
			if m := c.configMap(ns, e.ConfigMapRef.Name); m != nil {
				for k, v := range m.Data {
					env[e.Prefix+k] = v
				}
			}
		}
	}
	for _, e := range ct.Env {
		if e.ValueFrom == nil {
			env[e.Name] = e.Value
		}
	}
	return env
}

func container(d *appsv1.Deployment, name string) *corev1.Container {
	for i := range d.Spec.Template.Spec.Containers {
		if d.Spec.Template.Spec.Containers[i].Name == name {
			return &d.Spec.Template.Spec.Containers[i]
		}
	}
	return nil
}

// checkServer: the server's flags agree with its ports, probes and mounts, and shutdown has time to drain.
func (c *checker) checkServer(d *appsv1.Deployment) {
	name := "Deployment " + d.Name
	ct := container(d, "server")
	if ct == nil {
		c.errorf("%s: no container named server", name)
		return
	}
	grpcPort := findPort(ct, intstr.FromString("grpc"))
	if grpcPort == nil {
		c.errorf("%s: server container has no port named grpc", name)
		return
	}
	for _, pr := range []*corev1.Probe{ct.ReadinessProbe, ct.LivenessProbe} {
		if pr == nil || pr.GRPC == nil {
			c.errorf("%s: server readiness and liveness must be native gRPC probes", name)
			break
		}
		if pr.GRPC.Port != grpcPort.ContainerPort {
			c.errorf("%s: gRPC probe on port %d but the server listens on %d", name, pr.GRPC.Port, grpcPort.ContainerPort)
		}
	}
	env := c.envOf(d.Namespace, ct)
	listen, ok := env[serverFlagsEnv]
	if !ok {
		c.errorf("%s: %s (the server's --listen) is not set", name, serverFlagsEnv)
	} else if _, port, err := net.SplitHostPort(listen); err != nil {
		c.errorf("%s: %s=%q is not HOST:PORT", name, serverFlagsEnv, listen)
	} else if port != strconv.Itoa(int(grpcPort.ContainerPort)) {
		c.errorf("%s: the server listens on %s but its container port grpc is %d", name, listen, grpcPort.ContainerPort)
	}
	if dir := env[pluginDirEnv]; dir == "" {
		c.errorf("%s: %s (the server's --plugin_dir) is not set", name, pluginDirEnv)
	} else if !writableMount(ct, dir) {
		c.errorf("%s: plugin dir %s is not on a writable volume mount", name, dir)
	}
	if !writableMount(ct, "/tmp") {
		c.errorf("%s: /tmp is not a writable mount (the root filesystem is read-only)", name)
	}
	flags := parseFlags(env[extraFlagsEnv])
	drainMs, ok1 := flagMs(flags, "drain_grace_ms", defaultDrainGraceMs)
	shutdownMs, ok2 := flagMs(flags, "shutdown_timeout_ms", defaultShutdownTimeoutMs)
	if !ok1 || !ok2 {
		c.errorf("%s: --drain_grace_ms / --shutdown_timeout_ms in %s must be whole milliseconds", name, extraFlagsEnv)
	}
	if m, ok := flags["metrics_listen"]; ok && m != "" {
		if _, port, err := net.SplitHostPort(m); err != nil {
			c.errorf("%s: --metrics_listen=%q is not HOST:PORT", name, m)
		} else if p, _ := strconv.Atoi(port); findPort(ct, intstr.FromInt(p)) == nil {
			c.errorf("%s: --metrics_listen port %s is not a port of the server container", name, port)
		}
	}
	grace := int64(30)
	if d.Spec.Template.Spec.TerminationGracePeriodSeconds != nil {
		grace = *d.Spec.Template.Spec.TerminationGracePeriodSeconds
	}
	preStop := int64(0)
	if ct.Lifecycle != nil && ct.Lifecycle.PreStop != nil && ct.Lifecycle.PreStop.Sleep != nil {
		preStop = ct.Lifecycle.PreStop.Sleep.Seconds
	}
	if need := preStop*1000 + drainMs + shutdownMs; grace*1000 <= need {
		c.errorf("%s: terminationGracePeriodSeconds %d must exceed the preStop sleep (%ds) plus the server's drain "+
			"(--drain_grace_ms %d + --shutdown_timeout_ms %d)", name, grace, preStop, drainMs, shutdownMs)
	}
	var headless bool
	for _, s := range c.o.Services {
		if s.Namespace == d.Namespace && s.Spec.ClusterIP == corev1.ClusterIPNone &&
			labels.SelectorFromSet(s.Spec.Selector).Matches(labels.Set(d.Spec.Template.Labels)) {
			headless = true
		}
	}
	if !headless {
		c.errorf("%s: no headless Service selects the server pods", name)
	}
}

func writableMount(ct *corev1.Container, dir string) bool {
	for _, m := range ct.VolumeMounts {
		if !m.ReadOnly && (dir == m.MountPath || strings.HasPrefix(dir, strings.TrimSuffix(m.MountPath, "/")+"/")) {
			return true
		}
	}
	return false
}

var (
	bindRe       = regexp.MustCompile(`(?m)^\s*bind\s+\S*:(\d+)\b`)
	hardStopRe   = regexp.MustCompile(`(?m)^\s*hard-stop-after\s+(\d+)s\b`)
	preStopSleep = regexp.MustCompile(`\bsleep (\d+);`)
)

// checkProxy: the proxy's HAProxy configuration binds the ports its container declares, and it points at the
// headless Service of the server on the server's port; a ClusterIP Service fronts the proxy.
func (c *checker) checkProxy(d *appsv1.Deployment, server *appsv1.Deployment) {
	name := "Deployment " + d.Name
	ct := container(d, "haproxy")
	if ct == nil {
		c.errorf("%s: no container named haproxy", name)
		return
	}
	var cfg string
	for _, v := range d.Spec.Template.Spec.Volumes {
		if v.ConfigMap != nil {
			if m := c.configMap(d.Namespace, v.ConfigMap.Name); m != nil {
				cfg = m.Data["haproxy.cfg"]
			}
		}
	}
	if cfg == "" {
		c.errorf("%s: no ConfigMap volume with haproxy.cfg", name)
		return
	}
	binds := bindRe.FindAllStringSubmatch(cfg, -1)
	if len(binds) == 0 {
		c.errorf("%s: haproxy.cfg binds no port", name)
	}
	for _, b := range binds {
		port, _ := strconv.Atoi(b[1])
		if findPort(ct, intstr.FromInt(port)) == nil {
			c.errorf("%s: haproxy.cfg binds port %d, which the container does not declare", name, port)
		}
	}
	// A soft stop lasts at most hard-stop-after, after the preStop hook's first sleep.
	if m := hardStopRe.FindStringSubmatch(cfg); m != nil {
		hard, _ := strconv.ParseInt(m[1], 10, 64)
		wait := int64(0)
		if ct.Lifecycle != nil && ct.Lifecycle.PreStop != nil && ct.Lifecycle.PreStop.Exec != nil {
			if w := preStopSleep.FindStringSubmatch(strings.Join(ct.Lifecycle.PreStop.Exec.Command, " ")); w != nil {
				wait, _ = strconv.ParseInt(w[1], 10, 64)
			}
		}
		grace := int64(30)
		if d.Spec.Template.Spec.TerminationGracePeriodSeconds != nil {
			grace = *d.Spec.Template.Spec.TerminationGracePeriodSeconds
		}
		if grace <= wait+hard {
			c.errorf("%s: terminationGracePeriodSeconds %d must exceed the preStop wait (%ds) plus hard-stop-after (%ds)",
				name, grace, wait, hard)
		}
	} else {
		c.errorf("%s: haproxy.cfg sets no hard-stop-after, so a soft stop may outlast the grace period", name)
	}
	env := c.envOf(d.Namespace, ct)
	for _, v := range []string{"BACKEND_SERVICE", "BACKEND_PORT", "POD_NAMESPACE", "CLUSTER_DOMAIN"} {
		if !strings.Contains(cfg, "${"+v+"}") {
			c.errorf("%s: haproxy.cfg does not use ${%s}", name, v)
		}
	}
	var backend *corev1.Service
	for _, s := range c.o.Services {
		if s.Namespace == d.Namespace && s.Name == env["BACKEND_SERVICE"] {
			backend = s
		}
	}
	if backend == nil {
		c.errorf("%s: BACKEND_SERVICE=%q is not a rendered Service", name, env["BACKEND_SERVICE"])
	} else {
		if backend.Spec.ClusterIP != corev1.ClusterIPNone {
			c.errorf("%s: BACKEND_SERVICE %s is not headless, so DNS would give HAProxy one address", name, backend.Name)
		}
		if !labels.SelectorFromSet(backend.Spec.Selector).Matches(labels.Set(server.Spec.Template.Labels)) {
			c.errorf("%s: BACKEND_SERVICE %s does not select the server pods", name, backend.Name)
		}
		// A headless Service's DNS names the pod addresses; HAProxy must use the pods' (target) port.
		sp := findPort(container(server, "server"), intstr.FromString("grpc"))
		if sp != nil && env["BACKEND_PORT"] != strconv.Itoa(int(sp.ContainerPort)) {
			c.errorf("%s: BACKEND_PORT=%s but the server pods listen on %d", name, env["BACKEND_PORT"], sp.ContainerPort)
		}
	}
	var fronted bool
	for _, s := range c.o.Services {
		if s.Namespace == d.Namespace && s.Spec.ClusterIP != corev1.ClusterIPNone &&
			labels.SelectorFromSet(s.Spec.Selector).Matches(labels.Set(d.Spec.Template.Labels)) {
			fronted = true
		}
	}
	if !fronted {
		c.errorf("%s: no ClusterIP Service selects the proxy pods", name)
	}
}

func intstrName(name string) intstr.IntOrString { return intstr.FromString(name) }
