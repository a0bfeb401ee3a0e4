# shellcheck shell=bash
# Shared settings and helpers for the local stack scripts and ./whyflow. Source it; do not run it.
#
# Everything the local stack writes lives under WHYFLOW_HOME (default ~/.cache/whyflow), outside
# the repository: runtime jars, the PostgreSQL chroot, data directories, logs and pid files.

WHYFLOW_ROOT=${WHYFLOW_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
WHYFLOW_HOME=${WHYFLOW_HOME:-$HOME/.cache/whyflow}
WHYFLOW_LOG_DIR=${WHYFLOW_LOG_DIR:-$WHYFLOW_HOME/logs}
WHYFLOW_RUN_DIR=${WHYFLOW_RUN_DIR:-$WHYFLOW_HOME/run}

# Ports: chosen away from the defaults of a user's own PostgreSQL (5432), Kafka (9092/9093)
# and Flink (8081/6123), so the local stack can run beside them.
WHYFLOW_PG_PORT=${WHYFLOW_PG_PORT:-55432}
WHYFLOW_KAFKA_PORT=${WHYFLOW_KAFKA_PORT:-59092}
WHYFLOW_KAFKA_CONTROLLER_PORT=${WHYFLOW_KAFKA_CONTROLLER_PORT:-59093}
WHYFLOW_FLINK_REST_PORT=${WHYFLOW_FLINK_REST_PORT:-58081}
WHYFLOW_FLINK_RPC_PORT=${WHYFLOW_FLINK_RPC_PORT:-56123}
WHYFLOW_SQL_GATEWAY_PORT=${WHYFLOW_SQL_GATEWAY_PORT:-58083}

WHYFLOW_PG_DB=${WHYFLOW_PG_DB:-whyflow}
WHYFLOW_PG_USER=${WHYFLOW_PG_USER:-whyflow}
WHYFLOW_PG_PASSWORD=${WHYFLOW_PG_PASSWORD:-whyflow}
WHYFLOW_PG_URL=${WHYFLOW_PG_URL:-jdbc:postgresql://127.0.0.1:$WHYFLOW_PG_PORT/$WHYFLOW_PG_DB}
WHYFLOW_KAFKA_BOOTSTRAP=${WHYFLOW_KAFKA_BOOTSTRAP:-127.0.0.1:$WHYFLOW_KAFKA_PORT}
WHYFLOW_FLINK_REST=${WHYFLOW_FLINK_REST:-http://127.0.0.1:$WHYFLOW_FLINK_REST_PORT}
export WHYFLOW_ROOT WHYFLOW_HOME WHYFLOW_LOG_DIR WHYFLOW_RUN_DIR WHYFLOW_PG_PORT WHYFLOW_KAFKA_PORT \
  WHYFLOW_KAFKA_CONTROLLER_PORT WHYFLOW_FLINK_REST_PORT WHYFLOW_FLINK_RPC_PORT WHYFLOW_SQL_GATEWAY_PORT \
  WHYFLOW_PG_DB WHYFLOW_PG_USER WHYFLOW_PG_PASSWORD WHYFLOW_PG_URL WHYFLOW_KAFKA_BOOTSTRAP WHYFLOW_FLINK_REST

mkdir -p "$WHYFLOW_HOME" "$WHYFLOW_LOG_DIR" "$WHYFLOW_RUN_DIR"

die() { echo "whyflow: $*" >&2; exit 1; }
info() { echo "whyflow: $*" >&2; }

# port_in_use PORT: true when something listens on 127.0.0.1:PORT
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_for_port PORT SECONDS: true once PORT accepts connections
wait_for_port() {
  local port=$1 deadline=$((SECONDS + $2))
  while ((SECONDS < deadline)); do port_in_use "$port" && return 0; sleep 0.3; done
  return 1
}

# is_zombie PID: true when PID has exited but is not reaped yet. A process whose parent has gone is
# reaped by PID 1, which in a container may take seconds; kill -0 succeeds on it all the while.
is_zombie() { [[ $(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) == [ZX] ]]; }

# alive PID: true when PID runs (a zombie does not count)
alive() { kill -0 "$1" 2>/dev/null && ! is_zombie "$1"; }

# pid_alive FILE: true when FILE names a running process
pid_alive() { [[ -f $1 ]] && alive "$(cat "$1")"; }

# stop_pid FILE NAME [SECONDS]: TERM, wait up to SECONDS (20), then KILL; removes FILE
stop_pid() {
  local file=$1 name=$2 secs=${3:-20} pid
  pid_alive "$file" || { rm -f "$file"; return 0; }
  pid=$(cat "$file")
  kill "$pid" 2>/dev/null
  for _ in $(seq 1 $((secs * 5))); do alive "$pid" || break; sleep 0.2; done
  if alive "$pid"; then info "$name did not stop in $secs s; killing it"; kill -9 "$pid" 2>/dev/null; fi
  rm -f "$file"
}

# module_classpath MODULE: the module's full test-scope classpath (classes, test classes and
# every dependency). Compiles the module (and the modules it needs) and resolves the classpath
# with Maven whenever a source or POM is newer than the cached classpath in MODULE/target.
module_classpath() {
  local module=$1 dir="$WHYFLOW_ROOT/$1" cp_file="$WHYFLOW_ROOT/$1/target/classpath.txt"
  if [[ ! -s $cp_file || -n $(cd "$WHYFLOW_ROOT" && find pom.xml ./*/pom.xml ./*/src sql/migrations \
        -newer "$cp_file" -type f -print -quit 2>/dev/null) ]]; then
    (cd "$WHYFLOW_ROOT" && mvn -B -q -pl "$module" -am test-compile dependency:build-classpath \
      -Dmdep.includeScope=test -Dmdep.outputFile=target/classpath.txt >"$WHYFLOW_LOG_DIR/classpath-$module.log" 2>&1) \
      || die "could not build $module (see $WHYFLOW_LOG_DIR/classpath-$module.log)"
  fi
  echo "$dir/target/classes:$dir/target/test-classes:$(cat "$cp_file")"
}

# run_java MODULE MAIN_CLASS ARGS...: runs a main class of a built module; WHYFLOW_CLASSPATH, when
# set, is the classpath to run it with instead (a test that runs ./whyflow from inside a build)
run_java() {
  local module=$1 main=$2; shift 2
  local cp=${WHYFLOW_CLASSPATH:-}
  [[ -n $cp ]] || cp=$(module_classpath "$module") || exit 1
  java ${WHYFLOW_JAVA_OPTS:-} -cp "$cp" "$main" "$@"
}

# ensure_runtime NAME WHAT POM RUNTIME [DIR...]: makes RUNTIME/lib hold the runtime dependencies of
# the Maven project POM, and each further RUNTIME/DIR what POM's execution `copy@DIR` copies into the
# directory given as -DDIR.dir. It resolves them again when POM is newer than the last resolution
# (RUNTIME/lib.stamp) or a directory is missing; the new jars replace the old ones only once Maven
# has resolved them all. NAME and WHAT name them in messages ("kafka", "the broker's jars").
ensure_runtime() {
  local name=$1 what=$2 pom=$3 runtime=$4; shift 4
  local stamp=$runtime/lib.stamp log=$WHYFLOW_LOG_DIR/runtime-${runtime##*/}.log dir current=1
  [[ -f $stamp && ! $pom -nt $stamp ]] || current=0
  for dir in lib "$@"; do [[ -d $runtime/$dir ]] || current=0; done
  ((current)) && return 0
  info "$name: resolving $what with Maven (log: $log)"
  mkdir -p "$runtime"
  for dir in lib "$@"; do rm -rf "$runtime/$dir.new"; done
  mvn -B -q -f "$pom" dependency:copy-dependencies -DoutputDirectory="$runtime/lib.new" -DincludeScope=runtime \
    >"$log" 2>&1 || die "$name: could not resolve $what; see $log"
  for dir in "$@"; do
    mvn -B -q -f "$pom" "dependency:copy@$dir" "-D$dir.dir=$runtime/$dir.new" \
      >>"$log" 2>&1 || die "$name: could not resolve $what; see $log"
  done
  for dir in lib "$@"; do rm -rf "${runtime:?}/$dir"; mv "$runtime/$dir.new" "$runtime/$dir"; done
  touch "$stamp"
}

# adopt_pid FILE PATTERN: true when FILE names a running process, or when a process whose command
# line matches PATTERN (pgrep -f) runs, whose pid is then written to FILE (a lost pid file)
adopt_pid() {
  pid_alive "$1" && return 0
  local pid; pid=$(pgrep -f -n "$2" || true)
  [[ -n $pid ]] && { echo "$pid" >"$1"; return 0; }
  return 1
}

# log4j2_rolling_file NAME FILE KEEP: log4j2 properties of an appender NAME that writes FILE, rolls
# it over at 50 MB and keeps KEEP old files
log4j2_rolling_file() {
  cat <<EOF2
appender.$1.type = RollingFile
appender.$1.name = $1
appender.$1.fileName = $2
appender.$1.filePattern = $2.%i
appender.$1.layout.type = PatternLayout
appender.$1.layout.pattern = [%d] %p %m (%c)%n
appender.$1.policies.type = Policies
appender.$1.policies.size.type = SizeBasedTriggeringPolicy
appender.$1.policies.size.size = 50MB
appender.$1.strategy.type = DefaultRolloverStrategy
appender.$1.strategy.max = $3
EOF2
}
