#!/usr/bin/env bash
# The business users' web service (services/, dev.whyflow.web): the page and its JSON API on
# http://127.0.0.1:$WHYFLOW_WEB_PORT (58090), a plain JVM beside the stack, asking QueryJob through Kafka.
#
#   web.sh up        start it (needs postgres, with migrations applied, and kafka); waits for /api/health
#   web.sh down      stop it (TERM, KILL after 20 s)
#   web.sh status    one line; exit 0 when up and healthy, 3 otherwise
#   web.sh logfile   its log file
#   web.sh token     the local shell user's token, made on first use (./whyflow ask sends it)
#
# It logs in to the store as whyflow_web, a member of whyflow_web_writer (migration V14), which can
# write the service's own tables and nothing else; its password is made once and kept in
# $WHYFLOW_HOME/web/pg-password (mode 600).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

WHYFLOW_WEB_PORT=${WHYFLOW_WEB_PORT:-58090}
WEB_DIR=${WHYFLOW_WEB_DIR:-$WHYFLOW_HOME/web}
LOG=$WHYFLOW_LOG_DIR/web/web.log
PID_FILE=$WHYFLOW_RUN_DIR/web.pid
PG_PASSWORD_FILE=$WEB_DIR/pg-password
TOKEN_FILE=$WEB_DIR/shell.token
URL=http://127.0.0.1:$WHYFLOW_WEB_PORT

healthy() { curl -sf --max-time 2 "$URL/api/health" >/dev/null 2>&1; }

# web_env: the service's and its commands' store login
web_env() {
  export WHYFLOW_WEB_PORT WHYFLOW_WEB_PG_URL=$WHYFLOW_PG_URL WHYFLOW_WEB_PG_USER=whyflow_web
  WHYFLOW_WEB_PG_PASSWORD=$(cat "$PG_PASSWORD_FILE")
  export WHYFLOW_WEB_PG_PASSWORD
}

# ensure_login: the whyflow_web login in whyflow_web_writer, with the kept password
ensure_login() {
  mkdir -p "$WEB_DIR"; chmod 700 "$WEB_DIR"
  if [[ ! -s $PG_PASSWORD_FILE ]]; then
    (umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$PG_PASSWORD_FILE")
  fi
  local pw; pw=$(cat "$PG_PASSWORD_FILE")
  "$WHYFLOW_ROOT"/deploy/local/postgres.sh psql -X -q -v ON_ERROR_STOP=1 -v pw="$pw" >/dev/null <<'SQL' \
    || die "web: could not create the store login whyflow_web (is migration V14 applied? ./whyflow migrate)"
SELECT format('CREATE ROLE whyflow_web LOGIN IN ROLE whyflow_web_writer')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'whyflow_web') \gexec
ALTER ROLE whyflow_web PASSWORD :'pw';
SQL
}

cli() { run_java services dev.whyflow.web.WebCli "$@"; }

# token: the shell user's token (./whyflow ask through the API), made once
token() {
  if [[ ! -s $TOKEN_FILE ]]; then
    ensure_login; web_env
    local t
    t=$(cli user token shell 2>/dev/null || cli user add shell --role viewer 2>/dev/null) || die "web: could not make the shell user's token"
    (umask 077; echo "$t" >"$TOKEN_FILE")
  fi
  cat "$TOKEN_FILE"
}

up() {
  if pid_alive "$PID_FILE"; then info "web: already up ($URL)"; return 0; fi
  "$WHYFLOW_ROOT"/deploy/local/postgres.sh status >/dev/null 2>&1 || die "web: needs PostgreSQL: ./whyflow up postgres"
  "$WHYFLOW_ROOT"/deploy/local/kafka.sh status >/dev/null 2>&1 || die "web: needs Kafka: ./whyflow up kafka"
  port_in_use "$WHYFLOW_WEB_PORT" && die "web: port $WHYFLOW_WEB_PORT is taken by another process (WHYFLOW_WEB_PORT to move it)"
  ensure_login; web_env
  local cp; cp=${WHYFLOW_CLASSPATH:-$(module_classpath services)} || exit 1
  mkdir -p "$(dirname "$LOG")"
  nohup java -Xmx384m -Dlog4j2.configurationFile=whyflow/web/log4j2.xml -cp "$cp" dev.whyflow.web.WebService >>"$LOG" 2>&1 &
  echo $! >"$PID_FILE"
  local deadline=$((SECONDS + 90))
  while ((SECONDS < deadline)); do
    healthy && { info "web: up on $URL (log: $LOG)"; token >/dev/null; return 0; }
    pid_alive "$PID_FILE" || { tail -n 30 "$LOG" >&2; die "web: the service exited at start (log: $LOG)"; }
    sleep 0.5
  done
  die "web: not healthy within 90 s (log: $LOG; ./whyflow status)"
}

down() { stop_pid "$PID_FILE" web; }

status() {
  if pid_alive "$PID_FILE"; then
    if healthy; then echo "web: up (pid $(cat "$PID_FILE"), $URL)"; return 0; fi
    echo "web: running but not healthy (Kafka or PostgreSQL unreachable?): ./whyflow logs web"; return 3
  fi
  echo "web: down: ./whyflow up web"; return 3
}

case ${1:-} in
  up) up ;;
  down) down ;;
  status) status ;;
  logfile) echo "$LOG" ;;
  token) token ;;
  cli) shift; ensure_login; web_env; cli "$@" ;;
  *) die "usage: deploy/local/web.sh up|down|status|logfile|token|cli ARGS" ;;
esac
