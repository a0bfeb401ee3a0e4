#!/usr/bin/env bash
# The local Flink session cluster: one JobManager and one TaskManager (10 slots), run from the jars
# that deploy/local/runtime/flink/pom.xml resolves (flink-dist, the binary distribution, is not in
# the Maven repository). Everything it writes lives under $WHYFLOW_HOME/flink, $WHYFLOW_LOG_DIR/flink
# and $WHYFLOW_RUN_DIR. Web UI and REST API: $WHYFLOW_FLINK_REST (http://127.0.0.1:58081).
#
#   flink.sh install                  resolve the cluster's jars (also done by up)
#   flink.sh up                       start both processes, each under a supervisor that restarts it
#                                     when it exits (see "supervision" below); wait until the
#                                     TaskManager offers its slots
#   flink.sh down                     stop the supervisors, which stop their processes (TERM, KILL
#                                     after 20 s), then any process left without one
#   flink.sh status                   a line for the cluster (which process is down, restarts by the
#                                     supervisors), then a line per job that is not finished, cancelled
#                                     or failed: RUNNING, RESTARTING or waiting for slots, with the
#                                     command that helps; exit 0 when the cluster and all those jobs
#                                     run, 3 otherwise
#   flink.sh running                  no output; exit 0 when the JobManager and the TaskManager
#                                     processes run, whatever the jobs do (status says more)
#   flink.sh logfile                  the log files of the JobManager, the TaskManager and their
#                                     supervisors
#   flink.sh submit JAR [--class MAIN] [--parallelism N] [--savepoint PATH] [--] [ARGS...]
#                                     upload JAR through the REST API and run it; prints the job id
#   flink.sh jobs                     job id, state, start time and name of every job
#   flink.sh find NAME                the ids of the jobs named NAME that are not finished, cancelled
#                                     or failed
#   flink.sh cancel JOBID             cancel a job
#   flink.sh cli ACTION ARGS...       Flink's own command-line client against this cluster, as
#                                     `flink ACTION ARGS...` of the distribution, e.g.
#                                     flink.sh cli run -d JAR   /   flink.sh cli list
#
# Supervision: a dead JobManager or TaskManager is restarted as a Kubernetes Deployment would
# restart it. Each runs as the child of a small bash supervisor (`flink.sh supervise NAME CONF`, pid
# file $WHYFLOW_RUN_DIR/flink-NAME.supervisor.pid, log $WHYFLOW_LOG_DIR/flink/supervisor.log with
# lines such as "restarted TaskManager after exit code 137"). Back-off 1 s, doubling up to
# WHYFLOW_SUPERVISE_BACKOFF_MAX (30) s; after WHYFLOW_SUPERVISE_MAX_RESTARTS (5) restarts within
# WHYFLOW_SUPERVISE_WINDOW (600) s the supervisor gives up. A restarted TaskManager registers anew and
# the jobs restart on its slots (restart-strategy below). A restarted JobManager comes back empty:
# this session cluster has no HA store, so its jobs are gone and must be submitted again.
# Ports: REST WHYFLOW_FLINK_REST_PORT, JobManager RPC WHYFLOW_FLINK_RPC_PORT; every other port (the
# TaskManager's RPC and data ports, the blob server) is chosen free by Flink at each start.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

POM=$WHYFLOW_ROOT/deploy/local/runtime/flink/pom.xml
RUNTIME=$WHYFLOW_HOME/runtime/flink
LIB=$RUNTIME/lib
FLINK_DIR=$WHYFLOW_HOME/flink
CONF=$FLINK_DIR/conf
TMP=$FLINK_DIR/tmp
LOGS=$WHYFLOW_LOG_DIR/flink
JM_LOG=$LOGS/jobmanager/jobmanager.log
TM_LOG=$LOGS/taskmanager/taskmanager.log
JM_PID=$WHYFLOW_RUN_DIR/flink-jobmanager.pid
TM_PID=$WHYFLOW_RUN_DIR/flink-taskmanager.pid
REST=$WHYFLOW_FLINK_REST
# parallelism.default of the cluster. The REST jar-run endpoint ignores it (a run request without a
# parallelism gets 1), so submit passes it explicitly, as `flink run` would.
DEFAULT_PARALLELISM=2

# The Java 17 module flags of the distribution's conf/config.yaml (env.java.opts.all), as shipped in
# flink-dist/src/main/resources/config.yaml of Apache Flink 2.x.
JAVA17_OPTS=(
  --add-exports=java.base/sun.net.util=ALL-UNNAMED
  --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED
  --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.text=ALL-UNNAMED
  --add-opens=java.base/java.time=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED
)

ensure_lib() { ensure_runtime flink "the cluster's jars" "$POM" "$RUNTIME"; }

write_config() {
  mkdir -p "$CONF" "$TMP/io" "$TMP/web" "$TMP/upload" "$FLINK_DIR/checkpoints" "$FLINK_DIR/savepoints" \
    "$FLINK_DIR/plugins" "$LOGS/jobmanager" "$LOGS/taskmanager" "$LOGS/client"
  cat >"$CONF/config.yaml" <<EOF
# Generated by deploy/local/flink.sh on every start; edit the script, not this file.
# Flink 2.x reads only conf/config.yaml (standard YAML; the old flink-conf.yaml is gone).

env:
  java:
    opts:
      # Java 17 module flags, as in the distribution's config.yaml (flink.sh passes them itself).
      all: ${JAVA17_OPTS[*]}

jobmanager:
  bind-host: 127.0.0.1
  rpc:
    address: 127.0.0.1
    port: $WHYFLOW_FLINK_RPC_PORT
  memory:
    process:
      size: 1024m
  execution:
    failover-strategy: region

taskmanager:
  bind-host: 127.0.0.1
  host: 127.0.0.1
  # One name across restarts (as a StatefulSet's pod name): a TaskManager restarted by its supervisor
  # replaces the dead one's registration at once, so the jobs restart on its slots instead of being
  # offered the dead one's until its heartbeats time out (seen: both listed, 20/20 slots "free").
  resource-id: whyflow-local-taskmanager
  # CaptureJob, PatternJob and EmbeddingJob at parallelism 2 and QueryJob at 1 (./whyflow demo: 7),
  # and the rest for ad hoc SQL (sql.sh runs a query at parallelism 1): with every slot taken by the
  # jobs, a recipe waited for a slot until the request timed out
  numberOfTaskSlots: 10
  memory:
    process:
      size: 5632m
    # The local jobs keep their state on the heap (the hashmap backend: dedupe ids, sessions, CEP
    # partial matches), so the heap gets what managed memory would take by default (40% of Flink
    # memory, used only by RocksDB and batch operators): with the default, the heap was 358 MiB and
    # CaptureJob's TaskManager spent ~27% of its CPU in G1 (./whyflow bench capture, async-profiler).
    # With a 3072m process (a 1 GiB heap) G1 still took 15%, most of it concurrent marking of a
    # full day's dedupe ids and sessions; 5120m gave the heap 2.7 GiB (G1 5%), and 5632m keeps about
    # that (~2.6 GiB) beside the 1g off-heap below.
    # 128m stays for the batch operators of ad hoc SQL (sorts, hash joins).
    managed:
      size: 128m
    # Every job submitted to a session cluster loads the job jar in a classloader of its own, and
    # not all of it is collected after a cancel (Kafka clients' threads, JNI libraries); tests and
    # benchmarks submit dozens of jobs to one TaskManager, which ran out of the default 256m.
    jvm-metaspace:
      size: 768m
    task:
      off-heap:
        # Native memory for the jobs' own use outside the Java heap: budgeted for the ONNX Runtime
        # embedding models, one per job that embeds on this TaskManager (all of a job's subtasks
        # share one): ~125 MB loaded, ~250-300 MB with short texts in batches, up to ~400 MB with
        # 256-token batches (embeddings/README.md). Here two jobs embed: EmbeddingJob (narratives,
        # up to 256 tokens) and QueryJob (its question parser, short texts); an ad hoc SQL job
        # calling EMBED loads a third for as long as it runs.
        size: 1024m

parallelism:
  default: $DEFAULT_PARALLELISM

rest:
  address: 127.0.0.1
  bind-address: 127.0.0.1
  port: $WHYFLOW_FLINK_REST_PORT

io:
  tmp:
    dirs: $TMP/io

web:
  # Without these, the web server unpacks itself and keeps uploaded jars in /tmp/flink-web-*.
  tmpdir: $TMP/web
  upload:
    dir: $TMP/upload

execution:
  checkpointing:
    # Checkpointing itself is switched on per job (execution.checkpointing.interval).
    dir: file://$FLINK_DIR/checkpoints
    savepoint-dir: file://$FLINK_DIR/savepoints
    # Keep the last checkpoint of a cancelled job so that it can be resumed from it.
    externalized-checkpoint-retention: RETAIN_ON_CANCELLATION

restart-strategy:
  type: exponential-delay
  exponential-delay:
    initial-backoff: 1 s
    max-backoff: 1 min
    backoff-multiplier: 2.0
    reset-backoff-threshold: 10 min
    jitter-factor: 0.1
EOF
  # log4j2 syntax, as the distribution's conf/log4j.properties: one rolling file per process, named
  # by -Dlog.file (the web UI shows that file and lists the others in its directory).
  cat >"$CONF/log4j.properties" <<'EOF'
# Generated by deploy/local/flink.sh.
monitorInterval = 30
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = MainAppender
logger.pekko.name = org.apache.pekko
logger.pekko.level = INFO
logger.kafka.name = org.apache.kafka
logger.kafka.level = INFO
logger.zookeeper.name = org.apache.zookeeper
logger.zookeeper.level = WARN
logger.shaded_zookeeper.name = org.apache.flink.shaded.zookeeper3
logger.shaded_zookeeper.level = WARN
logger.netty.name = org.jboss.netty.channel.DefaultChannelPipeline
logger.netty.level = OFF
appender.main.name = MainAppender
appender.main.type = RollingFile
appender.main.append = true
appender.main.fileName = ${sys:log.file}
appender.main.filePattern = ${sys:log.file}.%i
appender.main.layout.type = PatternLayout
appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n
appender.main.policies.type = Policies
appender.main.policies.size.type = SizeBasedTriggeringPolicy
appender.main.policies.size.size = 100MB
appender.main.policies.startup.type = OnStartupTriggeringPolicy
appender.main.strategy.type = DefaultRolloverStrategy
appender.main.strategy.max = 10
EOF
  # The command-line client: its log to a file, as the distribution's log4j-cli.properties.
  sed -e '/startup/d' "$CONF/log4j.properties" >"$CONF/log4j-cli.properties"
}

# resource_params GET_JM_RESOURCE_PARAMS|GET_TM_RESOURCE_PARAMS: the JVM flags (line 1) and the -D
# memory settings (line 2) that the distribution's scripts compute with BashJavaUtils; cached per
# content of config.yaml (saves a JVM start per process on later starts).
resource_params() {
  local out cache=$CONF/.$1 sum
  sum=$(sha1sum "$CONF/config.yaml" | cut -c1-40)
  if [[ -f $cache && $(head -n 1 "$cache") == "$sum" ]]; then tail -n 2 "$cache"; return 0; fi
  out=$(java -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$LIB/*" \
    org.apache.flink.runtime.util.bash.BashJavaUtils "$1" --configDir "$CONF" 2>&1) || {
    printf '%s\n' "$out" >"$LOGS/bash-java-utils.log"
    die "flink: computing the memory settings failed; see $LOGS/bash-java-utils.log"; }
  out=$(printf '%s\n' "$out" | sed -n 's/^BASH_JAVA_UTILS_EXEC_RESULT://p' | tail -n 2)
  [[ $(wc -l <<<"$out") -eq 2 ]] && printf '%s\n%s\n' "$sum" "$out" >"$cache"
  printf '%s\n' "$out"
}

# --- supervision ----------------------------------------------------------------------------------
# Each daemon runs under a supervisor of its own, as a Deployment or a process supervisor would run
# it: `flink.sh supervise NAME CONF` (started by up, in a session of its own, logging to
# $SUPERVISOR_LOG) starts the JVM as its child, waits for it, and when it exits without being asked
# to, starts it again after a back-off (1 s, doubling, at most WHYFLOW_SUPERVISE_BACKOFF_MAX s); after
# WHYFLOW_SUPERVISE_MAX_RESTARTS restarts within WHYFLOW_SUPERVISE_WINDOW seconds it gives up and
# exits (status then names the command that starts it again). TERM makes a supervisor stop its
# daemon (TERM, KILL after 20 s) and exit without a restart: down stops the supervisors first.
# Every restart is a line in $WHYFLOW_RUN_DIR/flink-NAME.restarts, which status reads.
SUPERVISE_MAX_RESTARTS=${WHYFLOW_SUPERVISE_MAX_RESTARTS:-5}
SUPERVISE_WINDOW=${WHYFLOW_SUPERVISE_WINDOW:-600}
SUPERVISE_BACKOFF_MAX=${WHYFLOW_SUPERVISE_BACKOFF_MAX:-30}
SUPERVISOR_LOG=$LOGS/supervisor.log
SELF=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")

# daemon NAME: sets D_* for the jobmanager or the taskmanager
daemon() {
  D_NAME=$1 D_SUP=$WHYFLOW_RUN_DIR/flink-$1.supervisor.pid D_RESTARTS=$WHYFLOW_RUN_DIR/flink-$1.restarts
  case $1 in
    jobmanager) D_TITLE=JobManager D_PID=$JM_PID D_LOG=$JM_LOG D_PARAMS=GET_JM_RESOURCE_PARAMS
      D_MAIN=org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint ;;
    taskmanager) D_TITLE=TaskManager D_PID=$TM_PID D_LOG=$TM_LOG D_PARAMS=GET_TM_RESOURCE_PARAMS
      D_MAIN=org.apache.flink.runtime.taskexecutor.TaskManagerRunner ;;
    *) die "flink: no daemon '$1'" ;;
  esac
}

# sup_up NAME: true when the daemon's supervisor runs; re-creates its lost pid file
sup_up() {
  daemon "$1"
  adopt_pid "$D_SUP" "flink\.sh supervise $1 $CONF\$"
}

# supervise NAME: the supervisor's loop (runs as `flink.sh supervise NAME CONF`)
supervise() {
  daemon "$1"
  # no errexit here: a daemon's non-zero exit code is what this loop handles
  set +e
  local params jvm dyn child="" rc=0 stopping=0 now backoff t recent=()
  log() { echo "$(date -Is) [$D_NAME supervisor $$] $*"; }
  params=$(resource_params "$D_PARAMS") || exit 1
  jvm=$(sed -n 1p <<<"$params"); dyn=$(sed -n 2p <<<"$params")
  [[ -n $jvm ]] || { log "no memory settings for the $D_NAME; see $LOGS/bash-java-utils.log"; exit 1; }
  trap 'stopping=1; [[ -n $child ]] && kill -TERM "$child" 2>/dev/null' TERM INT
  trap '' HUP
  echo $$ >"$D_SUP"
  while :; do
    echo "=== $(date -Is) starting" >>"${D_LOG%.log}.out"
    # Word splitting of $jvm and $dyn is intended: lists of flags without spaces inside values.
    # shellcheck disable=SC2086
    (cd "$FLINK_DIR" && FLINK_CONF_DIR=$CONF FLINK_PLUGINS_DIR=$FLINK_DIR/plugins exec java $jvm \
      "${JAVA17_OPTS[@]}" -XX:+IgnoreUnrecognizedVMOptions \
      -Dlog.file="$D_LOG" -Dlog4j.configurationFile="file:$CONF/log4j.properties" \
      -cp "$LIB/*" "$D_MAIN" --configDir "$CONF" $dyn </dev/null >>"${D_LOG%.log}.out" 2>&1) &
    child=$!
    echo "$child" >"$D_PID"
    if ((${#recent[@]})); then
      log "restarted $D_TITLE after exit code $rc (pid $child)"
      echo "$(date -Is) restarted after exit code $rc" >>"$D_RESTARTS"
    else
      log "started $D_TITLE (pid $child)"
    fi
    # wait returns early when TERM arrives; the child is then asked to stop and waited for
    while :; do
      wait "$child"; rc=$?
      if ((stopping)); then
        for _ in $(seq 1 100); do alive "$child" || break; sleep 0.2; done
        if alive "$child"; then log "$D_TITLE did not stop in 20 s; killing it"; kill -9 "$child" 2>/dev/null; fi
        wait "$child" 2>/dev/null
        rm -f "$D_PID" "$D_SUP"; log "stopped $D_TITLE (asked to)"; exit 0
      fi
      kill -0 "$child" 2>/dev/null || break
    done
    rm -f "$D_PID"
    now=$(date +%s)
    local kept=(); for t in ${recent[@]+"${recent[@]}"}; do ((now - t < SUPERVISE_WINDOW)) && kept+=("$t"); done
    recent=(${kept[@]+"${kept[@]}"})
    if ((${#recent[@]} >= SUPERVISE_MAX_RESTARTS)); then
      log "$D_TITLE exited with code $rc; it was restarted ${#recent[@]} times within $SUPERVISE_WINDOW s: giving up"
      echo "$(date -Is) gave up after exit code $rc (${#recent[@]} restarts within $SUPERVISE_WINDOW s)" >>"$D_RESTARTS"
      rm -f "$D_SUP"; exit 1
    fi
    recent+=("$now")
    backoff=$((1 << (${#recent[@]} - 1))); ((backoff > SUPERVISE_BACKOFF_MAX)) && backoff=$SUPERVISE_BACKOFF_MAX
    log "$D_TITLE exited with code $rc; restarting it in $backoff s"
    echo "$(date -Is) exited with code $rc" >>"$D_RESTARTS"
    sleep "$backoff" &
    child=$!
    wait "$child" 2>/dev/null || true
    if ((stopping)); then kill "$child" 2>/dev/null; rm -f "$D_SUP"; log "stopped while waiting to restart $D_TITLE"; exit 0; fi
  done
}

# start_supervised NAME: starts the daemon's supervisor, which starts the daemon
start_supervised() {
  daemon "$1"
  : >"$D_RESTARTS"
  mkdir -p "$LOGS"
  # setsid: the supervisor and its daemon survive the terminal that started them; all they print
  # goes to files.
  setsid bash "$SELF" supervise "$1" "$CONF" </dev/null >>"$SUPERVISOR_LOG" 2>&1 &
  echo $! >"$D_SUP"
}

# restarts_line NAME: what status says about the daemon's restarts since up, empty when none
restarts_line() {
  daemon "$1"
  [[ -s $D_RESTARTS ]] || return 0
  local n last; n=$(grep -c 'restarted after' "$D_RESTARTS" || true); last=$(tail -n 1 "$D_RESTARTS")
  echo "$D_NAME: $n restart(s) by its supervisor since up; last: ${last}"
}

# adopt PID_FILE MAIN_CLASS: true when the process runs; re-creates a lost pid file for a process of
# this WHYFLOW_HOME (found by its main class and configuration directory).
adopt() { adopt_pid "$1" "$2 --configDir $CONF( |\$)"; }
jm_up() { adopt "$JM_PID" org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint; }
tm_up() { adopt "$TM_PID" org.apache.flink.runtime.taskexecutor.TaskManagerRunner; }

# field JSON NAME: a numeric field of a flat JSON object
field() { sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p" <<<"$1"; }
# overview: REST /overview, empty when the REST API does not answer
overview() { curl -sf --max-time 2 "$REST/overview" 2>/dev/null || true; }

up() {
  if jm_up && tm_up && sup_up jobmanager && sup_up taskmanager; then
    info "flink: already running (jobmanager pid $(cat "$JM_PID"), taskmanager pid $(cat "$TM_PID"), both supervised); $REST"; return 0
  fi
  local t0=$SECONDS started=() since
  since=$(date '+%F %T')
  ensure_lib
  if ! jm_up && ! sup_up jobmanager; then
    rm -f "$JM_PID"
    port_in_use "$WHYFLOW_FLINK_REST_PORT" && die "flink: port $WHYFLOW_FLINK_REST_PORT (REST/web UI) is already taken by another process; set WHYFLOW_FLINK_REST_PORT to another port"
    port_in_use "$WHYFLOW_FLINK_RPC_PORT" && die "flink: port $WHYFLOW_FLINK_RPC_PORT (JobManager RPC) is already taken by another process; set WHYFLOW_FLINK_RPC_PORT to another port"
    write_config
    # computed here (and cached) so that a failure stops up with its message
    resource_params GET_JM_RESOURCE_PARAMS >/dev/null
    start_supervised jobmanager; started+=(jobmanager)
  elif jm_up && ! sup_up jobmanager; then
    info "flink: the jobmanager (pid $(cat "$JM_PID")) runs without a supervisor; ./whyflow down flink && ./whyflow up flink to supervise it"
  fi
  if ! tm_up && ! sup_up taskmanager; then
    rm -f "$TM_PID"
    [[ -f $CONF/config.yaml ]] || write_config
    resource_params GET_TM_RESOURCE_PARAMS >/dev/null
    start_supervised taskmanager; started+=(taskmanager)
  elif tm_up && ! sup_up taskmanager; then
    info "flink: the taskmanager (pid $(cat "$TM_PID")) runs without a supervisor; ./whyflow down flink && ./whyflow up flink to supervise it"
  fi
  local tms slots ov n
  while :; do
    ov=$(overview); tms=$(field "$ov" taskmanagers); slots=$(field "$ov" slots-total)
    # a TaskManager started now counts once it says it registered (the JobManager may still list the
    # dead one it replaces, under the same resource id)
    if [[ ${tms:-0} -ge 1 && ${slots:-0} -ge 1 ]]; then
      [[ " ${started[*]} " != *" taskmanager "* ]] && break
      [[ $(grep -h 'Successful registration at resource manager' "$TM_LOG" 2>/dev/null | tail -n 1 | cut -c1-19) > "$since" ]] && break
    fi
    for n in jobmanager taskmanager; do
      daemon "$n"
      if [[ " ${started[*]} " == *" $n "* ]] && grep -q 'exited' "$D_RESTARTS" 2>/dev/null \
          || { ! sup_up "$n" && ! adopt "$D_PID" "$D_MAIN"; }; then
        down >/dev/null 2>&1; die "flink: the $n exited while starting; see $D_LOG and $SUPERVISOR_LOG"
      fi
    done
    if ((SECONDS - t0 > 90)); then down >/dev/null 2>&1; die "flink: no TaskManager registered in 90 s; see $JM_LOG and $TM_LOG"; fi
    sleep 0.3
  done
  info "flink: up in $((SECONDS - t0)) s: $tms taskmanager, $slots slots, JobManager and TaskManager supervised (restarted when they exit); web UI and REST $REST; logs: $LOGS"
}

down() {
  local n any=0
  # the supervisors first, so that nothing restarts what is being stopped; each stops its daemon
  for n in taskmanager jobmanager; do
    if sup_up "$n"; then any=1; stop_pid "$D_SUP" "flink $n supervisor" 30; fi
  done
  # daemons without a supervisor (or left by a killed one)
  if tm_up; then any=1; stop_pid "$TM_PID" "flink taskmanager"; fi
  if jm_up; then any=1; stop_pid "$JM_PID" "flink jobmanager"; fi
  rm -f "$JM_PID" "$TM_PID"
  if ((any)); then info "flink: stopped"; else info "flink: not running"; fi
}

rss() { awk '/VmRSS/ {printf "%d MB", $2/1024}' "/proc/$(cat "$1")/status" 2>/dev/null || echo "?"; }

# tm_registered: true when the running TaskManager's log says it registered since it started (its
# log file starts afresh at each start)
tm_registered() {
  local started
  started=$(date -d "$(ps -o lstart= -p "$(cat "$TM_PID")" 2>/dev/null)" '+%F %T' 2>/dev/null) || return 1
  [[ ! $(grep -h 'Successful registration at resource manager' "$TM_LOG" 2>/dev/null | tail -n 1 | cut -c1-19) < "$started" ]]
}

# daemon_state NAME: "up (pid P RSS R)" or why it is down, with the command that helps; exit 1 when down
daemon_state() {
  daemon "$1"
  local up=1 sup=1
  adopt "$D_PID" "$D_MAIN" || up=0
  sup_up "$1" || sup=0
  if ((up)) && [[ $1 == taskmanager ]] && ! tm_registered; then
    echo "TaskManager pid $(cat "$D_PID") starting, not registered with the JobManager yet; wait a few seconds, then: ./whyflow status"
    return 1
  elif ((up)); then
    echo "$D_NAME pid $(cat "$D_PID") RSS $(rss "$D_PID")$( ((sup)) || echo ", unsupervised")"
  elif ((sup)); then
    echo "$D_TITLE down, its supervisor restarts it ($(tail -n 1 "$D_RESTARTS" 2>/dev/null || true)); wait a few seconds, then: ./whyflow status"
    return 1
  elif grep -q 'gave up' "$D_RESTARTS" 2>/dev/null; then
    echo "$D_TITLE down, its supervisor gave up ($(tail -n 1 "$D_RESTARTS")); see $D_LOG, then: ./whyflow up flink"
    return 1
  else
    echo "$D_TITLE down: ./whyflow up flink"
    return 1
  fi
}

status() {
  local jm tm rc=0 n r
  jm=$(daemon_state jobmanager) || rc=3
  tm=$(daemon_state taskmanager) || rc=3
  local ov; ov=$(overview)
  if ((rc == 0)) && [[ -z $ov ]]; then
    echo "flink: not healthy: $jm, $tm, but the REST API at $REST does not answer (starting?); see $JM_LOG"; rc=3
  elif ((rc == 0)) && (($(field "$ov" taskmanagers || true) + 0 < 1)); then
    # after a JobManager restart the TaskManager notices only when its heartbeats time out (50 s)
    echo "flink: not healthy: $jm, $tm, but no TaskManager is registered with the JobManager; it re-registers by itself (within a minute of a restart), else see $TM_LOG"; rc=3
  elif ((rc == 0)); then
    echo "flink: up ($REST; $jm, $tm; $(field "$ov" slots-available)/$(field "$ov" slots-total) slots free, $(field "$ov" jobs-running) jobs running)"
  elif ! jm_up && ! tm_up && ! sup_up jobmanager && ! sup_up taskmanager; then
    echo "flink: down: ./whyflow up flink"
    for n in jobmanager taskmanager; do
      daemon "$n"; grep -q 'gave up' "$D_RESTARTS" 2>/dev/null && echo "  $D_TITLE: its supervisor gave up ($(tail -n 1 "$D_RESTARTS")); see $D_LOG"
    done
    return 3
  else
    echo "flink: not healthy: $jm; $tm"
  fi
  for n in jobmanager taskmanager; do r=$(restarts_line "$n"); [[ -z $r ]] || echo "  $r"; done
  jm_up && { job_states || rc=3; }
  return $rc
}

# job_states: a line per job that is not finished, cancelled or failed, saying whether it runs,
# restarts or waits for slots, with the command that helps; false when one is not running
job_states() {
  command -v jq >/dev/null || { echo "  (jobs: not shown, jq is missing: apt-get install jq)"; return 0; }
  local jobs ov free tm_ok=1 rc=0 jid name state="" total running finished need line hint
  jobs=$(curl -sf --max-time 5 "$REST/jobs/overview") || { echo "  jobs: the REST API at $REST does not answer (starting?); see $JM_LOG"; return 1; }
  ov=$(overview); free=$(field "$ov" slots-available); free=${free:-0}
  tm_up || tm_ok=0
  while IFS=$'\t' read -r jid name; do
    [[ -n $jid ]] || continue
    # everything of a job from one answer: the REST API caches a job's state for a few seconds, so
    # two endpoints may describe different moments. SCHEDULED tasks wait for a slot; tasks of one
    # vertex share no slot, those of different vertices may (one slot sharing group), so the job
    # lacks as many slots as the most SCHEDULED tasks of any vertex.
    read -r state total running finished need < <(curl -sf --max-time 5 "$REST/jobs/$jid" | jq -r \
      '[.state, ([.vertices[].parallelism] | add // 0), ([.vertices[].tasks.RUNNING // 0] | add // 0),
        ([.vertices[].tasks.FINISHED // 0] | add // 0), ([.vertices[].tasks.SCHEDULED // 0] | max // 0)] | @tsv' \
      2>/dev/null) || true
    [[ -n ${state:-} ]] || { echo "  job $name ($jid): the REST API does not describe it (gone?)"; continue; }
    if [[ $state == RUNNING ]] && ((running + finished == total)); then
      echo "  job $name ($jid): RUNNING, $running/$total tasks"; continue
    fi
    rc=1
    if [[ $state =~ ^(RUNNING|RESTARTING|CREATED|INITIALIZING)$ && $need =~ ^[0-9]+$ ]] && ((need > 0 && free < need)); then
      line="$state, waiting for slots: $running/$total tasks running, $need more slots needed, $free free"
      if ((tm_ok)); then hint="no TaskManager has free slots: cancel a job (deploy/local/flink.sh jobs, deploy/local/flink.sh cancel JOBID)"
      elif sup_up taskmanager; then hint="TaskManager down, its supervisor restarts it: wait, then ./whyflow status"
      else hint="TaskManager down: ./whyflow up flink"; fi
    elif [[ $state == RESTARTING ]]; then
      line="RESTARTING, $running/$total tasks running"
      hint="last failure: $(curl -sf --max-time 5 "$REST/jobs/$jid/exceptions" | jq -r '(.exceptionHistory.entries[0].stacktrace // "?") | split("\n")[0]' 2>/dev/null | cut -c1-200); ./whyflow logs flink"
    else
      line="$state, $running/$total tasks running"
      hint="starting or stopping: ./whyflow status again in a few seconds"
    fi
    echo "  job $name ($jid): $line; $hint"
  done < <(jq -r '.jobs[] | select(.state | IN("FINISHED","CANCELED","FAILED") | not)
      | [.jid, .name] | @tsv' <<<"$jobs")
  return $rc
}

# json_str S: S as a JSON string literal
json_str() {
  local s=$1
  s=${s//\\/\\\\}; s=${s//\"/\\\"}; s=${s//$'\n'/\\n}; s=${s//$'\t'/\\t}; s=${s//$'\r'/\\r}
  printf '"%s"' "$s"
}

submit() {
  [[ $# -ge 1 ]] || die "usage: flink.sh submit JAR [--class MAIN] [--parallelism N] [--savepoint PATH] [--] [ARGS...]"
  local jar=$1 main="" par="" sp="" resp id body args="" a log=$LOGS/client/submit.log; shift
  [[ -f $jar ]] || die "flink: no such jar: $jar"
  while [[ $# -gt 0 ]]; do
    case $1 in
      --class|-c) main=$2; shift 2 ;;
      --parallelism|-p) par=$2; shift 2 ;;
      --savepoint|-s) sp=$2; shift 2 ;;
      --) shift; break ;;
      *) break ;;
    esac
  done
  jm_up || die "flink: not running (flink.sh up)"
  resp=$(curl -sS --max-time 120 -X POST -H "Expect:" -F "jarfile=@$jar" "$REST/jars/upload" 2>&1) || {
    echo "$resp" >>"$log"; die "flink: uploading $jar failed; see $log"; }
  id=$(sed -n 's/.*"filename":"\([^"]*\)".*/\1/p' <<<"$resp"); id=${id##*/}
  [[ -n $id ]] || { echo "$resp" >>"$log"; die "flink: uploading $jar failed; see $log"; }
  for a in "$@"; do args+=${args:+,}$(json_str "$a"); done
  body="{\"programArgsList\":[${args}]"
  [[ -n $main ]] && body+=",\"entryClass\":$(json_str "$main")"
  body+=",\"parallelism\":${par:-$DEFAULT_PARALLELISM}"
  [[ -n $sp ]] && body+=",\"savepointPath\":$(json_str "$sp")"
  body+="}"
  resp=$(curl -sS --max-time 300 -X POST -H 'Content-Type: application/json' -d "$body" "$REST/jars/$id/run" 2>&1) || true
  # The uploaded copy is no longer needed once the job graph is submitted (job jars can be large).
  curl -sS --max-time 10 -X DELETE "$REST/jars/$id" >/dev/null 2>&1 || true
  local jid; jid=$(sed -n 's/.*"jobid":"\([0-9a-f]*\)".*/\1/p' <<<"$resp")
  if [[ -z $jid ]]; then
    { echo "=== $(date -Is) submit $jar $*"; echo "$resp"; } >>"$log"
    local why; why=$(sed -e 's/\\n/\n/g' -e 's/\\t/ /g' -e 's/\\"/"/g' <<<"$resp" | grep '^Caused by: ' | tail -n 1 | cut -c12-300)
    [[ -n $why ]] || why=$(cut -c1-300 <<<"$resp")
    die "flink: running $jar failed: $why (full answer in $log)"
  fi
  echo "$jid"
}

jobs() {
  jm_up || die "flink: not running (flink.sh up)"
  local resp; resp=$(curl -sf --max-time 5 "$REST/jobs/overview") || die "flink: the REST API at $REST does not answer"
  if command -v jq >/dev/null; then
    jq -r '["JOBID","STATE","STARTED","NAME"], (.jobs | sort_by(-.["start-time"])[]
      | [.jid, .state, ((.["start-time"] / 1000) | strftime("%Y-%m-%d %H:%M:%S")), .name]) | @tsv' <<<"$resp" \
      | column -t -s $'\t'
  else
    echo "$resp"
  fi
}

# find_jobs NAME: the ids of the jobs named NAME that are not finished, cancelled or failed
find_jobs() {
  [[ $# -eq 1 ]] || die "usage: flink.sh find NAME"
  command -v jq >/dev/null || die "flink: find needs jq (apt-get install jq)"
  jm_up || return 0
  local resp; resp=$(curl -sf --max-time 5 "$REST/jobs/overview") || die "flink: the REST API at $REST does not answer"
  jq -r --arg n "$1" '.jobs[] | select(.name == $n and (.state | IN("FINISHED","CANCELED","FAILED") | not)) | .jid' <<<"$resp"
}

cancel() {
  [[ $# -eq 1 ]] || die "usage: flink.sh cancel JOBID"
  jm_up || die "flink: not running (flink.sh up)"
  local code; code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X PATCH "$REST/jobs/$1?mode=cancel")
  case $code in
    202) ;;
    404) die "flink: no job $1" ;;
    *) die "flink: cancelling $1 failed (HTTP $code)" ;;
  esac
  local state
  for _ in $(seq 1 50); do
    state=$(curl -sf --max-time 2 "$REST/jobs/$1" | sed -n 's/.*"state":"\([A-Z_]*\)".*/\1/p' | head -n 1)
    [[ $state == CANCELED || $state == FAILED || $state == FINISHED ]] && break
    sleep 0.2
  done
  info "flink: job $1 ${state:-cancelling}"
}

cli() {
  ensure_lib; [[ -f $CONF/config.yaml ]] || write_config
  # FLINK_CONF_DIR is required: without it the client exits silently with status 31.
  FLINK_CONF_DIR=$CONF exec java -Xmx512m "${JAVA17_OPTS[@]}" -XX:+IgnoreUnrecognizedVMOptions \
    -Dlog.file="$LOGS/client/flink-client.log" -Dlog4j.configurationFile="file:$CONF/log4j-cli.properties" \
    -cp "$LIB/*" org.apache.flink.client.cli.CliFrontend "$@"
}

case ${1:-} in
  install) ensure_lib ;;
  up) up ;;
  down) down ;;
  status) status ;;
  running) jm_up && tm_up ;;
  logfile) echo "$JM_LOG"; echo "$TM_LOG"; echo "$SUPERVISOR_LOG" ;;
  submit) shift; submit "$@" ;;
  jobs) jobs ;;
  find) shift; find_jobs "$@" ;;
  cancel) shift; cancel "$@" ;;
  supervise) [[ ${3:-} == "$CONF" ]] || die "flink: supervise NAME CONF is started by flink.sh up"; supervise "$2" ;;
  cli) shift; cli "$@" ;;
  *) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
esac
