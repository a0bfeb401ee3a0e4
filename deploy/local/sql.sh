#!/usr/bin/env bash
# Ad hoc Flink SQL against the local stack: the Flink SQL client (embedded mode) on the local session
# cluster, with every Whyflow topic and store table already defined and the embedding functions
# registered, and the SQL Gateway's REST endpoint for tools that speak it.
#
#   sql.sh [--bounded] [CLIENT_OPTION...]      the interactive SQL client (history in
#                                               $WHYFLOW_HOME/sql-client/history)
#   sql.sh -f FILE.sql [--follow] [CLIENT_OPTION...]
#                                               run a script, print its results and exit: 0, or 1
#                                               when a statement failed (the client itself exits 0 then)
#   sql.sh -e 'STATEMENT; ...' [--follow]      the same for statements on the command line
#   sql.sh init [--bounded]                     print the session's init script (the table DDL of
#                                               sql/flink/tables/*.sql with the settings filled in)
#   sql.sh install                              resolve the client's jars (done on first use)
#   sql.sh gateway up|down|status|logfile       the SQL Gateway's REST endpoint on
#                                               127.0.0.1:$WHYFLOW_SQL_GATEWAY_PORT (58083)
#   sql.sh --gateway [-f FILE | -e SQL] ...     the client as above, through the running gateway
#
# Scripts (-f, -e) read the Kafka tables only up to their end offsets at the start of each query, so
# that a query over a topic finishes (a report "as of now") and the script exits. --follow keeps
# reading the topics instead, as streaming queries do: the script then runs until cancelled
# (Ctrl-C). The interactive client reads them live unless started with --bounded.
#
# CLIENT_OPTIONs are passed to the Flink SQL client, e.g. -D key=value, -j extra.jar.
#
# Queries run on the local session cluster (flink.sh up; the client reads its configuration from
# $WHYFLOW_HOME/flink/conf). Tables (see sql/flink/README.md): raw_events, enriched_events,
# dead_letters, alert_stream (Kafka), store.events, store.sessions, store.metrics_1m, store.alerts,
# store.failed_events (PostgreSQL over JDBC). Functions EMBED, COSINE_SIMILARITY and
# EMBEDDING_TEXT_SIMILARITY from udfs/target/whyflow-udfs.jar, which must be built (./whyflow sql
# builds it when stale; sql.sh itself fails when it is missing).
#
# Settings (lib.sh and these): WHYFLOW_TOPIC_RAW, WHYFLOW_TOPIC_ENRICHED, WHYFLOW_TOPIC_DLQ,
# WHYFLOW_TOPIC_ALERTS_PATTERN (a Java regex), WHYFLOW_UDFS_JAR, WHYFLOW_SQL_CLIENT_HEAP (1g),
# WHYFLOW_SQL_PARALLELISM (1: an ad hoc query takes one of the slots the local cluster keeps free
# beside the four jobs; -D parallelism.default=N for one run).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

POM=$WHYFLOW_ROOT/deploy/local/runtime/sql-client/pom.xml
RUNTIME=$WHYFLOW_HOME/runtime/sql-client
LIB=$RUNTIME/lib
CONNECTORS=$RUNTIME/connectors
STATE=$WHYFLOW_HOME/sql-client
FLINK_CONF=$WHYFLOW_HOME/flink/conf
LOGS=$WHYFLOW_LOG_DIR/sql-client
GW_LOGS=$WHYFLOW_LOG_DIR/sql-gateway
GW_LOG=$GW_LOGS/sql-gateway.log
GW_PID=$WHYFLOW_RUN_DIR/sql-gateway.pid
GW_URL=http://127.0.0.1:$WHYFLOW_SQL_GATEWAY_PORT
TABLES_DIR=$WHYFLOW_ROOT/sql/flink/tables
UDFS_JAR=${WHYFLOW_UDFS_JAR:-$WHYFLOW_ROOT/udfs/target/whyflow-udfs.jar}
UDFS_SQL=$WHYFLOW_ROOT/udfs/sql/01-register-functions.sql

TOPIC_RAW=${WHYFLOW_TOPIC_RAW:-whyflow.events.raw}
TOPIC_ENRICHED=${WHYFLOW_TOPIC_ENRICHED:-whyflow.events.enriched}
TOPIC_DLQ=${WHYFLOW_TOPIC_DLQ:-whyflow.events.dlq}
TOPIC_ALERTS_PATTERN=${WHYFLOW_TOPIC_ALERTS_PATTERN:-whyflow\\.alerts\\..*}

# The placeholders of sql/flink/tables/*.sql and their values. The tests
# (jobs/src/test/java/dev/whyflow/sqlrecipes/FlinkSqlScripts.java) fill in the same names.
placeholder_values() {
  printf '%s\t%s\n' \
    KAFKA_BOOTSTRAP "$WHYFLOW_KAFKA_BOOTSTRAP" \
    PG_URL "$WHYFLOW_PG_URL" \
    PG_USER "$WHYFLOW_PG_USER" \
    PG_PASSWORD "$WHYFLOW_PG_PASSWORD" \
    TOPIC_RAW "$TOPIC_RAW" \
    TOPIC_ENRICHED "$TOPIC_ENRICHED" \
    TOPIC_DLQ "$TOPIC_DLQ" \
    TOPIC_ALERTS_PATTERN "$TOPIC_ALERTS_PATTERN"
}

# The client's jars in $LIB, the connectors (the pom's copy@connectors) in $CONNECTORS
ensure_lib() { ensure_runtime sql "the SQL client's jars" "$POM" "$RUNTIME" connectors; }

# The session registers EMBED, COSINE_SIMILARITY and EMBEDDING_TEXT_SIMILARITY from the UDF jar;
# without it, every recipe that uses them would fail later on an unknown function.
need_udfs_jar() {
  [[ -f $UDFS_JAR ]] \
    || die "sql: $UDFS_JAR is not built; it holds EMBED and COSINE_SIMILARITY: build it with ./whyflow build (./whyflow sql builds it when it is missing or older than its sources), or point WHYFLOW_UDFS_JAR at it"
}

need_flink_conf() {
  [[ -f $FLINK_CONF/config.yaml ]] \
    || die "sql: no Flink configuration at $FLINK_CONF: start the local cluster first (./whyflow up flink)"
}

# render FILE: FILE with every ${NAME} placeholder replaced by its value, quoted for a SQL string
# literal (' doubled); dies on a placeholder it does not know.
render() {
  local text name value
  text=$(<"$1")
  while IFS=$'\t' read -r name value; do
    value=${value//\'/\'\'}
    text=${text//"\${$name}"/"$value"}
  done < <(placeholder_values)
  if [[ $text =~ \$\{[A-Za-z_][A-Za-z0-9_]*\} ]]; then
    die "sql: $1 uses ${BASH_REMATCH[0]}, which sql.sh does not know (known: $(placeholder_values | cut -f1 | tr '\n' ' '))"
  fi
  printf '%s\n' "$text"
}

# kafka_tables: the names of the tables in sql/flink/tables whose connector is Kafka
kafka_tables() {
  local f
  for f in "$TABLES_DIR"/*.sql; do
    grep -q "'connector' *= *'kafka'" "$f" || continue
    sed -n 's/^ *CREATE TABLE \(IF NOT EXISTS \)\{0,1\}\([A-Za-z0-9_.`]*\).*/\2/Ip' "$f" | head -n 1
  done
}

# init_script [--bounded]: the statements every session starts with
init_script() {
  local bounded=${1:-} f t
  echo "-- Generated by deploy/local/sql.sh from sql/flink/tables/*.sql; edit those, not this file."
  echo "-- Timestamps shown in UTC, as the store and the event contract keep them."
  echo "SET 'table.local-time-zone' = 'UTC';"
  for f in "$TABLES_DIR"/*.sql; do
    echo; echo "-- ${f#"$WHYFLOW_ROOT"/}"
    render "$f"
  done
  if [[ -f $UDFS_JAR && -f $UDFS_SQL ]]; then
    echo; echo "-- ${UDFS_SQL#"$WHYFLOW_ROOT"/} (classes from ${UDFS_JAR#"$WHYFLOW_ROOT"/})"
    cat "$UDFS_SQL"
  fi
  if [[ $bounded == --bounded ]]; then
    echo; echo "-- --bounded: read the topics up to their end offsets at query start"
    for t in $(kafka_tables); do echo "ALTER TABLE $t SET ('scan.bounded.mode' = 'latest-offset');"; done
  fi
}

java_opts() {
  # the Java 17 module flags of the cluster's configuration (env.java.opts.all), as flink.sh writes it
  sed -n 's/^ *all: //p' "$FLINK_CONF/config.yaml" | head -n 1
}

# The per-run directory (init script, statements, output): each run has its own, so that runs side by
# side do not overwrite each other's files; removed when sql.sh exits.
RUN_DIR=""
run_dir() {
  if [[ -z $RUN_DIR ]]; then
    RUN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/whyflow-sql.XXXXXX")
    trap 'rm -rf "$RUN_DIR"' EXIT
  fi
}

# run_client BOUNDED ARGS...: the Flink SQL client in embedded mode with the connectors, the UDFs and
# the init script; jobs go to the local session cluster. With VIA_GATEWAY=1 the client is a thin
# client of the running SQL Gateway instead (which has the connectors and UDFs itself).
run_client() {
  local bounded=$1; shift
  ensure_lib; need_flink_conf
  run_dir; mkdir -p "$STATE" "$LOGS"
  init_script "$bounded" >"$RUN_DIR/init.sql"
  local jars=(-l "file://$CONNECTORS") mode=(embedded)
  if [[ ${VIA_GATEWAY:-} == 1 ]]; then
    gw_up || die "sql: the SQL gateway is not running (sql.sh gateway up)"
    mode=(gateway --endpoint "127.0.0.1:$WHYFLOW_SQL_GATEWAY_PORT"); jars=()
  else
    need_udfs_jar
    jars+=(-j "file://$UDFS_JAR")
  fi
  # shellcheck disable=SC2046
  FLINK_CONF_DIR=$FLINK_CONF java -Xmx"${WHYFLOW_SQL_CLIENT_HEAP:-1g}" $(java_opts) -XX:+IgnoreUnrecognizedVMOptions \
    -Dlog.file="$LOGS/sql-client.log" -Dlog4j.configurationFile="file:$FLINK_CONF/log4j-cli.properties" \
    -cp "$LIB/*" org.apache.flink.table.client.SqlClient "${mode[@]}" \
    -i "$RUN_DIR/init.sql" "${jars[@]}" -hist "${HISTORY:-$STATE/history}" \
    -Dparallelism.default="${WHYFLOW_SQL_PARALLELISM:-1}" "$@"
}

# run_script FILE BOUNDED CLIENT_ARGS...: runs FILE, shows its output, fails when a statement failed.
run_script() {
  local file=$1 bounded=$2 out rc; shift 2
  [[ -f $file ]] || die "sql: no such file: $file"
  [[ ${VIA_GATEWAY:-} == 1 ]] || need_udfs_jar   # here, not only in the client's pipe below: one clear message
  run_dir; mkdir -p "$LOGS"; out=$RUN_DIR/output
  local log=$LOGS/sql-client.log log_lines=0
  [[ -f $log ]] && log_lines=$(wc -l <"$log")
  set +e
  HISTORY=$RUN_DIR/history run_client "$bounded" -Dsql-client.execution.result-mode=tableau -f "$file" "$@" </dev/null 2>&1 \
    | tee "$out"
  rc=${PIPESTATUS[0]}
  set -e
  ((rc == 0)) || die "sql: the SQL client exited with status $rc (log: $log)"
  # The client reports a failed statement as "[ERROR] ..." and a failed init script as "Failed to
  # initialize ...", and exits 0 either way.
  if grep -q -e '\[ERROR\]' -e '^Failed to initialize' "$out"; then
    local why what="a statement of $file"
    why=$(tail -n "+$((log_lines + 1))" "$log" 2>/dev/null | grep -e '^Caused by: ' | tail -n 1 | cut -c12-400)
    grep -q '^Failed to initialize' "$out" && what="the init script (sql/flink/tables, udfs/sql; sql.sh init shows it)"
    die "sql: $what failed${why:+: $why} (log: $log)"
  fi
}

# --- the SQL Gateway ------------------------------------------------------------------------------

gw_up() { pid_alive "$GW_PID"; }

gateway_up() {
  if gw_up; then info "sql gateway: already running (pid $(cat "$GW_PID")); $GW_URL"; return 0; fi
  ensure_lib; need_flink_conf
  port_in_use "$WHYFLOW_SQL_GATEWAY_PORT" \
    && die "sql gateway: port $WHYFLOW_SQL_GATEWAY_PORT is already taken by another process; set WHYFLOW_SQL_GATEWAY_PORT to another port"
  mkdir -p "$GW_LOGS" "$STATE"
  # Sessions opened over REST start without tables (the gateway has no init script); they get the
  # connectors and the UDF classes on the classpath, and pipeline.jars ships those with each job.
  local cp="$LIB/*:$CONNECTORS/*" pipeline_jars j t0=$SECONDS
  pipeline_jars=$(for j in "$CONNECTORS"/*.jar; do printf 'file://%s;' "$j"; done)
  need_udfs_jar
  cp+=":$UDFS_JAR"; pipeline_jars+="file://$UDFS_JAR;"
  echo "=== $(date -Is) starting" >>"$GW_LOGS/sql-gateway.out"
  # shellcheck disable=SC2046
  (cd "$STATE" && FLINK_CONF_DIR=$FLINK_CONF exec setsid java -Xmx"${WHYFLOW_SQL_GATEWAY_HEAP:-1g}" $(java_opts) \
    -XX:+IgnoreUnrecognizedVMOptions -Dlog.file="$GW_LOG" -Dlog4j.configurationFile="file:$FLINK_CONF/log4j.properties" \
    -cp "$cp" org.apache.flink.table.gateway.SqlGateway \
    -Dsql-gateway.endpoint.rest.address=127.0.0.1 -Dsql-gateway.endpoint.rest.bind-address=127.0.0.1 \
    -Dsql-gateway.endpoint.rest.port="$WHYFLOW_SQL_GATEWAY_PORT" \
    -Dpipeline.jars="${pipeline_jars%;}" -Dtable.local-time-zone=UTC \
    </dev/null >>"$GW_LOGS/sql-gateway.out" 2>&1) &
  echo $! >"$GW_PID"
  while ! curl -sf --max-time 2 "$GW_URL/v1/info" >/dev/null 2>&1; do
    gw_up || { rm -f "$GW_PID"; die "sql gateway: exited while starting; see $GW_LOG and $GW_LOGS/sql-gateway.out"; }
    if ((SECONDS - t0 > 60)); then gateway_down >/dev/null 2>&1; die "sql gateway: no answer on $GW_URL in 60 s; see $GW_LOG"; fi
    sleep 0.3
  done
  info "sql gateway: up in $((SECONDS - t0)) s; REST $GW_URL (e.g. curl $GW_URL/v1/info); sessions start without tables: run the statements of 'sql.sh init' first"
}

gateway_down() {
  if ! gw_up; then rm -f "$GW_PID"; info "sql gateway: not running"; return 0; fi
  stop_pid "$GW_PID" "sql gateway"
  info "sql gateway: stopped"
}

gateway_status() {
  if gw_up; then
    local v; v=$(curl -sf --max-time 2 "$GW_URL/v1/info" | sed -n 's/.*"version":"\([^"]*\)".*/\1/p')
    echo "sql gateway: up ($GW_URL, Flink ${v:-?}; pid $(cat "$GW_PID"))"
  else
    echo "sql gateway: down"; return 3
  fi
}

gateway() {
  case ${1:-} in
    up) gateway_up ;;
    down) gateway_down ;;
    status) gateway_status ;;
    logfile) echo "$GW_LOG" ;;
    *) die "usage: sql.sh gateway up|down|status|logfile" ;;
  esac
}

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }

main() {
  local bounded="" follow="" file="" stmts=""
  case ${1:-} in
    gateway) shift; gateway "$@"; return ;;
    init) shift; [[ ${1:-} == --bounded || -z ${1:-} ]] || usage; init_script "${1:-}"; return ;;
    install) ensure_lib; info "sql: client jars in $LIB, connectors in $CONNECTORS"; return ;;
    -h|--help|help) usage ;;
  esac
  local rest=()
  while (($#)); do
    case $1 in
      --bounded) bounded=--bounded; shift ;;
      --follow) follow=1; shift ;;
      --gateway) VIA_GATEWAY=1; shift ;;
      -f|--file) [[ $# -ge 2 ]] || usage; file=$2; shift 2 ;;
      -e|--execute) [[ $# -ge 2 ]] || usage; stmts=$2; shift 2 ;;
      *) rest+=("$1"); shift ;;
    esac
  done
  [[ -n $file && -n $stmts ]] && die "sql: -f and -e together; give one of them"
  if [[ -n $stmts ]]; then
    run_dir; file=$RUN_DIR/statements.sql
    printf '%s\n' "$stmts" >"$file"
  fi
  if [[ -n $file ]]; then
    [[ -n $follow && -n $bounded ]] && die "sql: --follow and --bounded contradict each other"
    # a script ends: its queries read the topics as they are now, unless --follow
    if [[ -n $follow ]]; then bounded=""; else bounded=--bounded; fi
    run_script "$file" "$bounded" "${rest[@]}"
  else
    [[ -n $follow ]] && die "sql: --follow is for scripts (-f, -e); the interactive client follows the topics unless --bounded"
    run_client "$bounded" "${rest[@]}"
  fi
}

main "$@"
