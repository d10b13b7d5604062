#!/usr/bin/env bash
# A local docanalysis cluster on loopback: N server replicas behind a gRPC-aware load balancer.
#
#   deploy/local/cluster.sh up [N] [--lb haproxy|nginx]   start N replicas (default 3) and the balancer
#   deploy/local/cluster.sh down                          stop exactly what `up` started
#   deploy/local/cluster.sh status                        print the cluster and per-replica request counts
#   deploy/local/cluster.sh kill I                        SIGKILL replica I (1-based), as a crash would
#   deploy/local/cluster.sh stop I                        SIGTERM replica I and wait until it has drained
#   deploy/local/cluster.sh start I                       start replica I again, on its old address
#   deploy/local/cluster.sh restart I                     stop I, then start I
#
# `up` prints one line per replica, one for the balancer, the balanced HTTP/JSON address (API and web page), and
# last `endpoint HOST:PORT`, the gRPC address clients use:
#   replica 1 127.0.0.1:41234 pid 1234 metrics 127.0.0.1:41240 http 127.0.0.1:41242
#   balancer haproxy pid 1240 stats http://127.0.0.1:41250/stats
#   http_endpoint http://127.0.0.1:41246
#   endpoint 127.0.0.1:41245
#
# Everything listens on 127.0.0.1. Each replica is `docanalysis-server --listen 127.0.0.1:PORT --plugin_dir DIR`
# with --metrics_listen (per-replica Prometheus counters), --http_listen (the HTTP/JSON API, balanced too) and --drain_grace_ms (on SIGTERM the replica reports
# NOT_SERVING for that long before it refuses calls, so the balancer's health check takes it out first).
# The balancer config is rendered from deploy/haproxy/haproxy.cfg or deploy/nginx/nginx.conf.
#
# Environment:
#   DOCANALYSIS_SERVER         the server binary (default <repo>/build/service/docanalysis-server; if that is
#                              missing, the newest docanalysis-server built from this checkout in a CMake build
#                              tree under <repo> or $TMPDIR, and the script says which)
#   DOCANALYSIS_PLUGIN_DIR     plugin folder (default: <build>/plugins beside the server binary)
#   DOCANALYSIS_SERVER_FLAGS   more server flags, split on white space
#   DOCANALYSIS_DRAIN_GRACE_MS --drain_grace_ms of the replicas (default 2500: two failed health checks)
#   DOCANALYSIS_CLUSTER_STATE  state folder: pid files, ports, logs, rendered configs
#                              (default $TMPDIR/docanalysis-cluster-<uid>-<checksum of the repo path>)
#   DOCANALYSIS_CLUSTER_PORT   port of the endpoint (default: a free one)
#   DOCANALYSIS_CLUSTER_HTTP_PORT  port of the balanced HTTP/JSON endpoint (default: a free one)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
TMP=${TMPDIR:-/tmp}
STATE=${DOCANALYSIS_CLUSTER_STATE:-$TMP/docanalysis-cluster-$(id -u)-$(printf '%s' "$REPO" | cksum | cut -d' ' -f1)}
HOST=127.0.0.1
PY=/usr/bin/python3
[[ -x $PY ]] || PY=python3

die() { echo "cluster: $*" >&2; exit 1; }
note() { echo "cluster: $*" >&2; }

# ---------------------------------------------------------------------------------------------------------------
# Processes. A pid file holds "PID"; a process counts as ours only while /proc/PID/cmdline still names the
# program we started (pids are reused), so `down` never signals anything else.

# alive PIDFILE EXPECTED_PROGRAM
alive() {
  local pidfile=$1 prog=$2 pid
  [[ -f $pidfile ]] || return 1
  pid=$(<"$pidfile")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ -r /proc/$pid/cmdline ]] || return 1
  # A zombie (exited, not yet reaped by its parent) is not running.
  [[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) != Z ]] || return 1
  tr '\0' '\n' <"/proc/$pid/cmdline" | head -n1 | grep -qF -- "$(basename "$prog")"
}

# running PID: the process exists and has not exited (whatever it runs: right after the fork it is still bash).
running() {
  [[ -r /proc/$1/stat ]] && [[ $(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) != Z ]]
}

# stop_pid PIDFILE PROGRAM SIGNAL TIMEOUT_S: signal the process and wait for it to exit (SIGKILL after timeout).
stop_pid() {
  local pidfile=$1 prog=$2 sig=$3 timeout=$4 pid i
  alive "$pidfile" "$prog" || { rm -f "$pidfile"; return 0; }
  pid=$(<"$pidfile")
  kill "-$sig" "$pid" 2>/dev/null || true
  for ((i = 0; i < timeout * 10; i++)); do
    alive "$pidfile" "$prog" || { rm -f "$pidfile"; return 0; }
    sleep 0.1
  done
  note "pid $pid did not exit within ${timeout}s of SIG$sig; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    alive "$pidfile" "$prog" || break
    sleep 0.1
  done
  rm -f "$pidfile"
}

free_port() {
  "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# ---------------------------------------------------------------------------------------------------------------
# The server binary and plugins.

find_server() {
  if [[ -n ${DOCANALYSIS_SERVER:-} ]]; then
    [[ -x $DOCANALYSIS_SERVER ]] || die "DOCANALYSIS_SERVER=$DOCANALYSIS_SERVER is not an executable"
    echo "$DOCANALYSIS_SERVER"
    return
  fi
  if [[ -x $REPO/build/service/docanalysis-server ]]; then
    echo "$REPO/build/service/docanalysis-server"
    return
  fi
  # Any CMake build tree of this checkout (its CMakeCache.txt names this source folder) that has a server and
  # built plugins; the newest server wins.
  local cache dir best="" best_time=0 t
  while IFS= read -r cache; do
    grep -qxF "CMAKE_HOME_DIRECTORY:INTERNAL=$REPO" "$cache" 2>/dev/null || continue
    dir=$(dirname "$cache")
    [[ -x $dir/service/docanalysis-server ]] || continue
    compgen -G "$dir/plugins/*/plugin.json" >/dev/null || continue
    t=$(stat -c %Y "$dir/service/docanalysis-server")
    if ((t > best_time)); then best=$dir/service/docanalysis-server best_time=$t; fi
  done < <(find "$REPO" "$TMP" -maxdepth 3 -name CMakeCache.txt -type f 2>/dev/null)
  [[ -n $best ]] || die "no server binary: build it (scripts/setup.sh builds into $REPO/build) or set DOCANALYSIS_SERVER"
  note "using $best (newest build of this checkout; set DOCANALYSIS_SERVER to choose)"
  echo "$best"
}

# start_replica I PORT: start replica I on 127.0.0.1:PORT (0 = any free port) and wait until it serves.
start_replica() {
  local i=$1 port=$2 dir=$STATE/replica-$1 server plugins mport hport
  server=$(<"$STATE/server")
  plugins=$(<"$STATE/plugin_dir")
  mkdir -p "$dir"
  if alive "$dir/pid" "$server"; then die "replica $i is already running (pid $(<"$dir/pid"))"; fi
  mport=0
  [[ -f $dir/metrics_port ]] && mport=$(<"$dir/metrics_port")
  hport=0
  [[ -f $dir/http_port ]] && hport=$(<"$dir/http_port")
  local -a flags=(--listen "$HOST:$port" --plugin_dir "$plugins" --metrics_listen "$HOST:$mport" --http_listen "$HOST:$hport"
    --drain_grace_ms "${DOCANALYSIS_DRAIN_GRACE_MS:-2500}")
  # shellcheck disable=SC2206  # a list of flags
  [[ -n ${DOCANALYSIS_SERVER_FLAGS:-} ]] && flags+=($DOCANALYSIS_SERVER_FLAGS)
  : >"$dir/stdout"
  # Own session, stdin from /dev/null and output to files: the replica outlives this script and holds none of
  # its caller's pipes open.
  setsid "$server" "${flags[@]}" </dev/null >>"$dir/stdout" 2>>"$dir/stderr" &
  echo $! >"$dir/pid"
  local i10 addr=""
  for ((i10 = 0; i10 < 600; i10++)); do
    addr=$(sed -n 's/^listening on \([^ ]*:[0-9][0-9]*\).*/\1/p' "$dir/stdout" | head -n1)
    [[ -n $addr ]] && break
    running "$(<"$dir/pid")" || { tail -n 5 "$dir/stderr" >&2; die "replica $i exited before serving"; }
    sleep 0.1
  done
  [[ -n $addr ]] || die "replica $i did not print 'listening on' within 60 s (log $dir/stderr)"
  echo "${addr##*:}" >"$dir/port"
  # The metrics port it bound (first start: any free one, logged in the "serving" line); restarts reuse it.
  if [[ $mport == 0 ]]; then
    mport=$(grep -o 'metrics_port[^0-9]*[0-9][0-9]*' "$dir/stderr" | tail -n1 | grep -o '[0-9]*$' || true)
    [[ -n $mport && $mport != 0 ]] && echo "$mport" >"$dir/metrics_port"
  fi
  # The HTTP port (printed as "http on HOST:PORT" before "listening on"); restarts reuse it.
  hport=$(sed -n 's/^http on [^ ]*:\([0-9][0-9]*\).*/\1/p' "$dir/stdout" | head -n1)
  [[ -n $hport ]] && echo "$hport" >"$dir/http_port"
}

replica_line() {
  local i=$1 dir=$STATE/replica-$1 m="" pid=-
  [[ -f $dir/metrics_port ]] && m=" metrics $HOST:$(<"$dir/metrics_port")"
  [[ -f $dir/http_port ]] && m+=" http $HOST:$(<"$dir/http_port")"
  [[ -f $dir/pid ]] && pid=$(<"$dir/pid")
  echo "replica $i $HOST:$(<"$dir/port") pid $pid$m"
}

# ---------------------------------------------------------------------------------------------------------------
# Balancers.

render() {  # render TEMPLATE OUT SERVERS_TEXT KEY=VALUE...
  local tmpl=$1 out=$2 servers=$3
  shift 3
  "$PY" - "$tmpl" "$out" "$servers" "$@" <<'EOF'
import sys
tmpl, out, servers, pairs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
text = open(tmpl).read()
lines = [servers if line.strip() == "@SERVERS@" else line for line in text.split("\n")]
text = "\n".join(lines)
for pair in pairs:
    key, value = pair.split("=", 1)
    if key.endswith("SERVERS"):  # lists of server lines replace a line of their own (not the mentions in comments)
        text = "\n".join(value if line.strip() == "@" + key + "@" else line for line in text.split("\n"))
    else:
        text = text.replace("@" + key + "@", value)
open(out, "w").write(text)
EOF
}

start_haproxy() {
  local n=$1 port=$2 servers="" http_servers="" i stats
  command -v haproxy >/dev/null || die "haproxy is not installed (scripts/setup.sh installs it)"
  for ((i = 1; i <= n; i++)); do
    servers+="    server r$i $HOST:$(<"$STATE/replica-$i/port")"$'\n'
    http_servers+="    server h$i $HOST:$(<"$STATE/replica-$i/http_port")"$'\n'
  done
  stats=$(free_port)
  echo "$stats" >"$STATE/stats_port"
  render "$HERE/../haproxy/haproxy.cfg" "$STATE/haproxy.cfg" "${servers%$'\n'}" \
    BIND="$HOST:$port" STATS_BIND="$HOST:$stats" STATS_SOCKET="$STATE/haproxy.sock" PIDFILE="$STATE/haproxy.pidfile" \
    HTTP_BIND="$(<"$STATE/http_endpoint")" HTTP_SERVERS="${http_servers%$'\n'}"
  haproxy -c -q -f "$STATE/haproxy.cfg" || die "haproxy rejected $STATE/haproxy.cfg"
  setsid haproxy -db -f "$STATE/haproxy.cfg" </dev/null >>"$STATE/haproxy.log" 2>&1 &
  echo $! >"$STATE/balancer.pid"
  echo haproxy >"$STATE/balancer"
  # Up when every replica passes its gRPC health check (at most 30 s).
  local k up
  for ((k = 0; k < 300; k++)); do
    running "$(<"$STATE/balancer.pid")" || { tail -n 5 "$STATE/haproxy.log" >&2; die "haproxy exited"; }
    up=$(curl -fsS "http://$HOST:$stats/stats;csv" 2>/dev/null | awk -F, '$1 == "docanalysis" && $2 ~ /^r[0-9]+$/ && $18 == "UP"' | wc -l || true)
    ((up == n)) && return 0
    sleep 0.1
  done
  die "haproxy: only ${up:-0} of $n replicas passed the health check within 30 s (log $STATE/haproxy.log)"
}

start_nginx() {
  local n=$1 port=$2 servers="" http_servers="" i
  command -v nginx >/dev/null || die "nginx is not installed (scripts/setup.sh installs nginx-light)"
  for ((i = 1; i <= n; i++)); do
    servers+="        server $HOST:$(<"$STATE/replica-$i/port") max_fails=1 fail_timeout=3s;"$'\n'
    http_servers+="        server $HOST:$(<"$STATE/replica-$i/http_port") max_fails=1 fail_timeout=3s;"$'\n'
  done
  mkdir -p "$STATE/nginx-tmp"
  chmod 0777 "$STATE/nginx-tmp"  # nginx's workers drop root and buffer request bodies here
  render "$HERE/../nginx/nginx.conf" "$STATE/nginx.conf" "${servers%$'\n'}" BIND="$HOST:$port" STATE_DIR="$STATE" \
    HTTP_BIND="$(<"$STATE/http_endpoint")" HTTP_SERVERS="${http_servers%$'\n'}"
  nginx -t -q -p "$STATE" -e "$STATE/nginx-error.log" -c "$STATE/nginx.conf" || die "nginx rejected $STATE/nginx.conf"
  setsid nginx -p "$STATE" -e "$STATE/nginx-error.log" -c "$STATE/nginx.conf" -g 'daemon off;' \
    </dev/null >>"$STATE/nginx.log" 2>&1 &
  echo $! >"$STATE/balancer.pid"
  echo nginx >"$STATE/balancer"
  local k
  for ((k = 0; k < 100; k++)); do
    running "$(<"$STATE/balancer.pid")" || { tail -n 5 "$STATE/nginx-error.log" >&2; die "nginx exited"; }
    (exec 3<>"/dev/tcp/$HOST/$port") 2>/dev/null && return 0
    sleep 0.1
  done
  die "nginx did not open $HOST:$port within 10 s"
}

balancer_line() {
  local b
  b=$(<"$STATE/balancer")
  if [[ $b == haproxy ]]; then
    echo "balancer haproxy pid $(<"$STATE/balancer.pid") stats http://$HOST:$(<"$STATE/stats_port")/stats"
  else
    echo "balancer nginx pid $(<"$STATE/balancer.pid") access log $STATE/nginx-access.log"
  fi
}

# ---------------------------------------------------------------------------------------------------------------
# Commands.

replica_count() { cat "$STATE/replicas" 2>/dev/null || echo 0; }

check_index() {
  local i=${1:-}
  if ! [[ $i =~ ^[0-9]+$ ]] || ((i < 1 || i > $(replica_count))); then die "no replica '$i' (1..$(replica_count))"; fi
}

any_alive() {
  local i server
  [[ -f $STATE/server ]] || return 1
  server=$(<"$STATE/server")
  for ((i = 1; i <= $(replica_count); i++)); do
    alive "$STATE/replica-$i/pid" "$server" && return 0
  done
  [[ -f $STATE/balancer ]] && alive "$STATE/balancer.pid" "$(<"$STATE/balancer")" && return 0
  return 1
}

cmd_up() {
  local n=3 lb=haproxy
  while (($#)); do
    case $1 in
      --lb) lb=${2:-}; shift 2 || die "--lb needs haproxy or nginx" ;;
      --lb=*) lb=${1#--lb=}; shift ;;
      [0-9]*) n=$1; shift ;;
      *) die "unknown argument '$1' (usage: cluster.sh up [N] [--lb haproxy|nginx])" ;;
    esac
  done
  if ! [[ $n =~ ^[0-9]+$ ]] || ((n < 1 || n > 64)); then die "N must be 1..64"; fi
  [[ $lb == haproxy || $lb == nginx ]] || die "--lb must be haproxy or nginx"
  if any_alive; then die "a cluster is already up (state $STATE); run 'cluster.sh down' first"; fi
  rm -rf "$STATE"
  mkdir -p "$STATE"
  local server plugins
  server=$(find_server)
  plugins=${DOCANALYSIS_PLUGIN_DIR:-$(dirname "$(dirname "$server")")/plugins}
  [[ -d $plugins ]] || die "no plugin folder $plugins (set DOCANALYSIS_PLUGIN_DIR)"
  echo "$server" >"$STATE/server"
  echo "$plugins" >"$STATE/plugin_dir"
  echo "$n" >"$STATE/replicas"
  # On failure part-way, stop whatever did start.
  UP_OK=0
  trap '[[ $UP_OK == 1 ]] || cmd_down >/dev/null 2>&1 || true' EXIT
  local i
  for ((i = 1; i <= n; i++)); do
    start_replica "$i" 0
  done
  local port=${DOCANALYSIS_CLUSTER_PORT:-$(free_port)}
  echo "$HOST:$port" >"$STATE/endpoint"
  echo "$HOST:${DOCANALYSIS_CLUSTER_HTTP_PORT:-$(free_port)}" >"$STATE/http_endpoint"
  if [[ $lb == haproxy ]]; then start_haproxy "$n" "$port"; else start_nginx "$n" "$port"; fi
  UP_OK=1
  for ((i = 1; i <= n; i++)); do replica_line "$i"; done
  balancer_line
  echo "state $STATE"
  echo "http_endpoint http://$(<"$STATE/http_endpoint")"
  echo "endpoint $HOST:$port"
}

cmd_down() {
  [[ -d $STATE ]] || { note "nothing to stop (no state at $STATE)"; return 0; }
  local server="" i b
  [[ -f $STATE/server ]] && server=$(<"$STATE/server")
  if [[ -f $STATE/balancer ]]; then
    b=$(<"$STATE/balancer")
    stop_pid "$STATE/balancer.pid" "$b" TERM 10
  fi
  if [[ -n $server ]]; then
    # All replicas drain in parallel.
    for ((i = 1; i <= $(replica_count); i++)); do
      stop_pid "$STATE/replica-$i/pid" "$server" TERM 30 &
    done
    wait
  fi
  if any_alive; then die "something is still running (state $STATE)"; fi
  rm -rf "$STATE"
  echo "cluster: down"
}

cmd_status() {
  [[ -f $STATE/replicas ]] || die "no cluster (state $STATE)"
  local server i state
  server=$(<"$STATE/server")
  for ((i = 1; i <= $(replica_count); i++)); do
    state=stopped
    alive "$STATE/replica-$i/pid" "$server" && state=running
    echo "$(replica_line "$i") $state"
  done
  balancer_line
  if [[ $(<"$STATE/balancer") == haproxy ]]; then
    curl -fsS "http://$HOST:$(<"$STATE/stats_port")/stats;csv" |
      awk -F, '$1 == "docanalysis" && $2 ~ /^r[0-9]+$/ { printf "haproxy %s %s requests %s\n", $2, $18, $8 }'
  fi
  echo "endpoint $(<"$STATE/endpoint")"
}

cmd_stop() {
  check_index "${1:-}"
  stop_pid "$STATE/replica-$1/pid" "$(<"$STATE/server")" "${2:-TERM}" 60
  echo "replica $1 stopped"
}

cmd_kill() {
  check_index "${1:-}"
  stop_pid "$STATE/replica-$1/pid" "$(<"$STATE/server")" KILL 10
  echo "replica $1 killed"
}

cmd_start() {
  check_index "${1:-}"
  start_replica "$1" "$(<"$STATE/replica-$1/port")"
  replica_line "$1"
}

case ${1:-} in
  up) shift; cmd_up "$@" ;;
  down) cmd_down ;;
  status) cmd_status ;;
  stop) shift; cmd_stop "$@" ;;
  kill) shift; cmd_kill "$@" ;;
  start) shift; cmd_start "$@" ;;
  restart) shift; cmd_stop "$@"; cmd_start "$1" ;;
  *) sed -n '2,11s/^# \{0,1\}//p' "$0"; exit 2 ;;
esac
