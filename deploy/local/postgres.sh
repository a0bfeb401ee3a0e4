#!/usr/bin/env bash
# Local PostgreSQL 17 with pgvector and TimescaleDB for the Whyflow stack, on 127.0.0.1 only.
#
#   deploy/local/postgres.sh install        install the server (idempotent; a no-op once done)
#   deploy/local/postgres.sh up             install if needed, create the cluster if needed, start it,
#                                           ensure role $WHYFLOW_PG_USER (superuser) and db $WHYFLOW_PG_DB
#   deploy/local/postgres.sh down           stop the server (fast shutdown); idempotent
#   deploy/local/postgres.sh status         one line; exit 0 when up, 3 when down
#   deploy/local/postgres.sh logfile        print the path of the server log
#   deploy/local/postgres.sh psql [ARGS...] psql 17 as $WHYFLOW_PG_USER on 127.0.0.1:$WHYFLOW_PG_PORT,
#                                           db $WHYFLOW_PG_DB (-d/-U/-h or a db name override them)
#   deploy/local/postgres.sh destroy        down, then delete the data directory (keeps the install)
#
# Debian 13 (trixie) host: the Debian packages postgresql-17, postgresql-17-pgvector and
# postgresql-17-timescaledb are installed natively; the cluster lives in $WHYFLOW_HOME/pgdata.
# Debian 12 (bookworm) host: those packages do not exist there, so they are installed in a minimal
# Debian trixie chroot at $WHYFLOW_HOME/pg-trixie (built with debootstrap from the mirror the host's
# apt sources use; about 620 MB); the cluster lives inside it, in var/lib/whyflow/pgdata. The server
# runs as the chroot's postgres user; no mounts are needed.
#
# Not supervised, unlike Flink's daemons (flink.sh): tests stop PostgreSQL on purpose to simulate an
# outage (`postgres.sh down`), and a supervisor would undo that. The postmaster itself restarts
# crashed backends; a dead postmaster stays down until `./whyflow up postgres` (status says so).
#
# Settings (see lib.sh): WHYFLOW_HOME, WHYFLOW_LOG_DIR, WHYFLOW_RUN_DIR, WHYFLOW_PG_PORT,
# WHYFLOW_PG_DB, WHYFLOW_PG_USER, WHYFLOW_PG_PASSWORD; WHYFLOW_DEBIAN_MIRROR overrides the mirror
# read from the host's apt sources.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$HERE/lib.sh"

PG_MAJOR=17
PG_PACKAGES=("postgresql-$PG_MAJOR" "postgresql-$PG_MAJOR-pgvector" "postgresql-$PG_MAJOR-timescaledb")
PG_BIN=/usr/lib/postgresql/$PG_MAJOR/bin
PG_SHARE=/usr/share/postgresql/$PG_MAJOR
INSTALL_LOG=$WHYFLOW_LOG_DIR/postgres-install.log   # install, initdb and pg_ctl output
LINK_LOG=$WHYFLOW_LOG_DIR/postgres.log              # the server log (a symlink to it in chroot mode)
LOCK_FILE=$WHYFLOW_RUN_DIR/postgres.lock

# --- where things live ----------------------------------------------------------------------------
# *_IN paths are as the server sees them; *_HOST paths are the same files seen from the host.

host_os() { (. /etc/os-release 2>/dev/null; echo "${ID:-unknown} ${VERSION_ID:-none} ${VERSION_CODENAME:-none}"); }

read -r OS_ID OS_VERSION OS_CODENAME _ <<<"$(host_os)"
if [[ $OS_ID == debian && ($OS_VERSION == 13 || $OS_CODENAME == trixie) ]]; then
  MODE=native
  PG_ROOT=""
  DATA_IN=$WHYFLOW_HOME/pgdata
  SOCK_IN=$WHYFLOW_RUN_DIR/postgresql
  LOG_IN=$LINK_LOG
elif [[ $OS_ID == debian && ($OS_VERSION == 12 || $OS_CODENAME == bookworm) ]]; then
  MODE=chroot
  PG_ROOT=$WHYFLOW_HOME/pg-trixie
  DATA_IN=/var/lib/whyflow/pgdata
  SOCK_IN=/var/lib/whyflow/run
  LOG_IN=/var/log/whyflow/postgres.log
else
  MODE=unsupported
  PG_ROOT=""
  DATA_IN=$WHYFLOW_HOME/pgdata
  SOCK_IN=$WHYFLOW_RUN_DIR/postgresql
  LOG_IN=$LINK_LOG
fi
DATA_HOST=$PG_ROOT$DATA_IN
SOCK_HOST=$PG_ROOT$SOCK_IN
LOG_HOST=$PG_ROOT$LOG_IN

need_supported() {
  [[ $MODE != unsupported ]] || die "postgres.sh supports Debian 12 and 13 hosts only (this is $OS_ID $OS_VERSION)"
}
need_root() { ((EUID == 0)) || die "postgres.sh $1 must run as root"; }

# Serialise install/up/down/destroy. The lock fd (9) is closed for the server itself.
take_lock() { exec 9>"$LOCK_FILE"; flock -w 900 9 || die "another postgres.sh is still running (lock $LOCK_FILE)"; }

# --- installation ---------------------------------------------------------------------------------

installed() {
  [[ -x $PG_ROOT$PG_BIN/postgres && -x $PG_ROOT$PG_BIN/psql && -f $PG_ROOT$PG_SHARE/extension/vector.control &&
     -f $PG_ROOT$PG_SHARE/extension/timescaledb.control ]] || return 1
  [[ $MODE != chroot || -f $PG_ROOT/.whyflow-complete ]]
}

# The Debian mirror the host's apt uses: the URI of an enabled 'deb' entry for the host's own suite
# (deb822 *.sources or one-line *.list / sources.list), else of any non-security 'deb' entry.
debian_mirror() {
  if [[ -n ${WHYFLOW_DEBIAN_MIRROR:-} ]]; then echo "${WHYFLOW_DEBIAN_MIRROR%/}"; return; fi
  local f entries=""
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f $f ]] || continue
    entries+=$(awk 'BEGIN { RS = ""; FS = "\n" }
      {
        delete v; key = ""
        for (i = 1; i <= NF; i++) {
          line = $i
          if (line ~ /^[ \t]*#/) continue
          if (line ~ /^[ \t]/) { if (key != "") v[key] = v[key] " " line; continue }
          p = index(line, ":"); if (!p) continue
          key = tolower(substr(line, 1, p - 1)); v[key] = substr(line, p + 1)
        }
        if (tolower(v["enabled"]) ~ /no/) next
        if ((" " v["types"] " ") !~ /[ \t]deb[ \t]/) next
        n = split(v["uris"], u, /[ \t]+/); uri = ""
        for (j = 1; j <= n; j++) if (u[j] != "") { uri = u[j]; break }
        gsub(/^[ \t]+|[ \t]+$/, "", v["suites"])
        if (uri != "") print uri "\t" v["suites"]
      }' "$f")$'\n'
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f $f ]] || continue
    entries+=$(sed -n -E 's/^[[:space:]]*deb[[:space:]]+(\[[^]]*\][[:space:]]+)?([^[:space:]]+)[[:space:]]+([^[:space:]]+).*/\2\t\3/p' "$f")$'\n'
  done
  local uri suites fallback=""
  while IFS=$'\t' read -r uri suites; do
    [[ $uri =~ ^(https?|file): ]] || continue
    if [[ " $suites " == *" $OS_CODENAME "* ]]; then echo "${uri%/}"; return; fi
    [[ -z $fallback && $uri != *security* && $suites != *-security* ]] && fallback=${uri%/}
  done <<<"$entries"
  [[ -n $fallback ]] && { echo "$fallback"; return; }
  return 1
}

apt_install_host() {   # apt_install_host PKG...: apt-get install on the host, updating the lists if needed
  DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" >>"$INSTALL_LOG" 2>&1 && return 0
  DEBIAN_FRONTEND=noninteractive apt-get update >>"$INSTALL_LOG" 2>&1 &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" >>"$INSTALL_LOG" 2>&1
}

install_failed() {
  tail -n 5 "$INSTALL_LOG" | sed 's/^/    /' >&2
  die "$1 (full log: $INSTALL_LOG)"
}

remove_build_dir() {   # removes a half-built chroot, unmounting anything debootstrap left mounted in it
  local dir=$1 m
  while read -r m; do umount -l "$m" 2>/dev/null || true; done < <(awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r)
  rm -rf --one-file-system "$dir"
}

install_native() {
  local added_policy=0
  mkdir -p /etc/postgresql-common/createcluster.d
  [[ -f /etc/postgresql-common/createcluster.d/50-whyflow.conf ]] ||
    echo 'create_main_cluster = false' >/etc/postgresql-common/createcluster.d/50-whyflow.conf
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && added_policy=1
  fi
  local ok=0
  apt_install_host "${PG_PACKAGES[@]}" acl && ok=1
  ((added_policy)) && rm -f /usr/sbin/policy-rc.d
  ((ok)) || install_failed "apt-get install ${PG_PACKAGES[*]} failed"
}

install_chroot() {
  local mirror tmp old
  mirror=$(debian_mirror) || die "cannot find a Debian mirror in the host's apt sources; set WHYFLOW_DEBIAN_MIRROR"
  if ! command -v debootstrap >/dev/null; then
    apt_install_host debootstrap || install_failed "could not install debootstrap on the host"
  fi
  # Leftovers of an interrupted build: nothing runs from them (builds hold the lock we hold now).
  for old in "$WHYFLOW_HOME"/.pg-trixie.build.*; do [[ -d $old ]] && remove_build_dir "$old"; done
  tmp=$(mktemp -d "$WHYFLOW_HOME/.pg-trixie.build.XXXXXX")
  BUILD_DIR=$tmp
  chmod 755 "$tmp"   # becomes the chroot's /: the postgres user must be able to traverse it
  echo "== debootstrap --variant=minbase trixie $tmp $mirror" >>"$INSTALL_LOG"
  debootstrap --variant=minbase trixie "$tmp" "$mirror" >>"$INSTALL_LOG" 2>&1 ||
    { remove_build_dir "$tmp"; install_failed "debootstrap of Debian trixie failed"; }

  printf '#!/bin/sh\nexit 101\n' >"$tmp/usr/sbin/policy-rc.d"
  chmod 755 "$tmp/usr/sbin/policy-rc.d"
  mkdir -p "$tmp/etc/postgresql-common/createcluster.d"
  echo 'create_main_cluster = false' >"$tmp/etc/postgresql-common/createcluster.d/50-whyflow.conf"
  local keyring="" k
  for k in /usr/share/keyrings/debian-archive-keyring.pgp /usr/share/keyrings/debian-archive-keyring.gpg; do
    [[ -f $tmp$k ]] && { keyring=$k; break; }
  done
  rm -f "$tmp/etc/apt/sources.list"
  {
    echo "Types: deb"
    echo "URIs: $mirror"
    echo "Suites: trixie trixie-updates"
    echo "Components: main"
    [[ -n $keyring ]] && echo "Signed-By: $keyring"
  } >"$tmp/etc/apt/sources.list.d/debian.sources"

  echo "== apt-get install ${PG_PACKAGES[*]} (in the chroot)" >>"$INSTALL_LOG"
  chroot "$tmp" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 \
    DEBIAN_FRONTEND=noninteractive /bin/sh -c \
    "apt-get update && apt-get install -y --no-install-recommends ${PG_PACKAGES[*]} && apt-get clean" \
    >>"$INSTALL_LOG" 2>&1 || { remove_build_dir "$tmp"; install_failed "installing PostgreSQL in the trixie chroot failed"; }

  date -u +%FT%TZ >"$tmp/.whyflow-complete"
  PG_ROOT=$tmp installed || { remove_build_dir "$tmp"; install_failed "the chroot lacks the PostgreSQL binaries or extensions"; }
  # Atomic publication: the chroot appears at its final path only once complete.
  mv -T "$tmp" "$PG_ROOT" || { remove_build_dir "$tmp"; die "could not move the new chroot to $PG_ROOT"; }
  BUILD_DIR=""
}

cmd_install() {
  need_supported
  installed && return 0
  need_root install
  [[ $MODE != chroot || ! -e $PG_ROOT ]] ||
    die "$PG_ROOT exists but is not a complete install; stop anything using it and remove it by hand"
  local t0=$SECONDS
  echo "== $(date -u +%FT%TZ) install ($MODE)" >>"$INSTALL_LOG"
  if [[ $MODE == native ]]; then
    info "installing PostgreSQL $PG_MAJOR + pgvector + TimescaleDB (Debian packages; log: $INSTALL_LOG)"
    install_native
  else
    info "installing PostgreSQL $PG_MAJOR + pgvector + TimescaleDB in a Debian trixie chroot at $PG_ROOT (about a minute; log: $INSTALL_LOG)"
    install_chroot
  fi
  installed || install_failed "PostgreSQL $PG_MAJOR, pgvector or TimescaleDB is missing after the install"
  info "postgres installed in $((SECONDS - t0)) s"
}

# --- running as the postgres user -----------------------------------------------------------------

pg_ids() {   # sets PG_UID and PG_GID from the passwd file the server uses
  local ent
  ent=$(awk -F: '$1 == "postgres" { print $3 ":" $4; exit }' "$PG_ROOT/etc/passwd")
  [[ -n $ent ]] || die "no postgres user in $PG_ROOT/etc/passwd"
  PG_UID=${ent%%:*}; PG_GID=${ent##*:}
}

# as_pg CMD ARGS...: CMD as the postgres user (inside the chroot in chroot mode) with a clean
# environment; variables named in AS_PG_KEEP are passed through.
as_pg() (
  keep=" ${AS_PG_KEEP:-} "
  for v in $(compgen -e); do [[ $keep == *" $v "* ]] || unset "$v" 2>/dev/null || true; done
  export HOME=/var/lib/postgresql PATH=$PG_BIN:/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 LANG=C.UTF-8
  if [[ $MODE == chroot ]]; then
    exec chroot --userspec="$PG_UID:$PG_GID" --groups="$PG_GID" "$PG_ROOT" "$@"
  else
    cd / && exec setpriv --reuid="$PG_UID" --regid="$PG_GID" --clear-groups "$@"
  fi
)

# Native mode: the postgres user must be able to reach dirs under WHYFLOW_HOME (often under /root).
ensure_reachable() {
  local dir=$1 d="" part parts
  as_pg test -x "$dir" 2>/dev/null && return 0
  command -v setfacl >/dev/null || die "the postgres user cannot reach $dir; install acl or move WHYFLOW_HOME"
  IFS=/ read -ra parts <<<"${dir#/}"
  for part in "${parts[@]}"; do
    d+=/$part
    as_pg test -x "$d" 2>/dev/null || { setfacl -m "u:$PG_UID:x" "$d"; info "granted the postgres user search access to $d"; }
  done
}

recorded_pid() {   # the pid in postmaster.pid, if any
  local pid
  pid=$(head -n 1 "$DATA_HOST/postmaster.pid" 2>/dev/null) && [[ $pid =~ ^[0-9]+$ ]] && echo "$pid"
}
server_pid() {   # prints the postmaster's pid when it runs (a killed one not yet reaped does not count)
  local pid
  pid=$(recorded_pid) || return 1
  [[ $(cat "/proc/$pid/comm" 2>/dev/null) == postgres ]] && ! is_zombie "$pid" || return 1
  echo "$pid"
}
# After a crash (kill -9) the dead postmaster may linger as a zombie until it is reaped, and the
# server refuses to start while the pid in postmaster.pid exists: wait a little, then drop the file.
clear_stale_pidfile() {
  local pid
  pid=$(recorded_pid) || return 0
  for _ in $(seq 1 25); do is_zombie "$pid" || return 0; sleep 0.2; done
  info "removing the stale postmaster.pid of crashed server $pid"
  rm -f "$DATA_HOST/postmaster.pid"
}
server_port() { sed -n 4p "$DATA_HOST/postmaster.pid" 2>/dev/null; }

package_version() {   # package_version PKG: the installed version, upstream part only
  awk -v p="Package: $1" '$0 == p { f = 1 } f && /^Version:/ { print $2; exit } /^$/ { f = 0 }' \
    "$PG_ROOT/var/lib/dpkg/status" 2>/dev/null | sed -E 's/^[0-9]+://; s/[-+~].*//'
}
versions() {
  echo "PostgreSQL $(package_version postgresql-$PG_MAJOR), pgvector $(package_version postgresql-$PG_MAJOR-pgvector), TimescaleDB $(package_version postgresql-$PG_MAJOR-timescaledb)"
}

write_config() {   # the settings this script owns; rewritten at each start so WHYFLOW_PG_PORT applies
  cat >"$DATA_HOST/whyflow.conf" <<EOF
# Written by deploy/local/postgres.sh at each start: edit that script (or use ALTER SYSTEM), not this file.
listen_addresses = '127.0.0.1'
port = $WHYFLOW_PG_PORT
unix_socket_directories = '$SOCK_IN'
max_connections = 100
# A day's events chunk and its nine indexes outgrow 256MB within ~1M rows, and every random insert
# into the event_id and session indexes then evicts a page: CaptureJob's rate fell by half in the
# second half of a 1.8M-event day (./whyflow bench capture). 1GB holds the day's hot index pages.
shared_buffers = 1GB
work_mem = 16MB
maintenance_work_mem = 512MB
effective_cache_size = 2GB
random_page_cost = 1.1
dynamic_shared_memory_type = sysv
max_worker_processes = 20
max_locks_per_transaction = 256
shared_preload_libraries = 'timescaledb'
timescaledb.telemetry_level = off
timescaledb.max_background_workers = 8
# bulk-load friendly WAL settings; durability (fsync, synchronous_commit) stays on
wal_buffers = 16MB
# lz4, not on (= pglz): the full-page images after each checkpoint are compressed in the backend
# that writes them. max_wal_size: a 1.8M-event day writes ~2 GB of WAL for the events chunk and its
# indexes; at 4GB a checkpoint fell in the middle of the day's load, and then every first touch of
# a page of the random-key indexes (event_id, session) logged a full page image.
wal_compression = lz4
# Change data capture of the ERP database (issue #20, deploy/local/connect.sh): logical decoding with
# pgoutput needs wal_level = logical (a restart to take effect); one slot per connector. A slot whose
# reader stopped keeps WAL on disk: max_slot_wal_keep_size caps it (the slot is then lost and the
# connector must snapshot again), and ./whyflow status reports a stalled slot long before that.
wal_level = logical
max_wal_senders = 10
max_replication_slots = 10
max_slot_wal_keep_size = 8GB
max_wal_size = 16GB
min_wal_size = 256MB
checkpoint_timeout = 15min
checkpoint_completion_target = 0.9
timezone = 'UTC'
log_timezone = 'UTC'
log_destination = 'stderr'
logging_collector = off
log_line_prefix = '%m [%p] %q%u@%d '
EOF
  chown "$PG_UID:$PG_GID" "$DATA_HOST/whyflow.conf"
  chmod 600 "$DATA_HOST/whyflow.conf"
}

init_cluster() {
  local new=$DATA_IN.new
  rm -rf --one-file-system "$PG_ROOT$new"
  install -d -o "$PG_UID" -g "$PG_GID" -m 700 "$PG_ROOT$new"
  echo "== $(date -u +%FT%TZ) initdb -D $DATA_HOST" >>"$INSTALL_LOG"
  as_pg initdb -D "$new" -U postgres --encoding=UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 >>"$INSTALL_LOG" 2>&1 ||
    install_failed "initdb failed"
  cat >"$PG_ROOT$new/pg_hba.conf" <<'EOF'
# Written by deploy/local/postgres.sh. The server listens on 127.0.0.1 only.
# TYPE  DATABASE     USER      ADDRESS        METHOD
local   all          postgres                 trust
local   all          all                      scram-sha-256
host    all          all       127.0.0.1/32   scram-sha-256
host    all          all       ::1/128        scram-sha-256
host    replication  all       127.0.0.1/32   scram-sha-256
host    replication  all       ::1/128        scram-sha-256
EOF
  printf "\n# Whyflow's settings (deploy/local/postgres.sh)\ninclude_if_exists = 'whyflow.conf'\n" >>"$PG_ROOT$new/postgresql.conf"
  chown "$PG_UID:$PG_GID" "$PG_ROOT$new/pg_hba.conf" "$PG_ROOT$new/postgresql.conf"
  mv -T "$PG_ROOT$new" "$DATA_HOST"
}

ensure_role_and_db() {
  AS_PG_KEEP="WHYFLOW_PG_USER WHYFLOW_PG_PASSWORD WHYFLOW_PG_DB" \
    as_pg psql -X -q -h "$SOCK_IN" -p "$1" -U postgres -d postgres -v ON_ERROR_STOP=1 -f - >>"$INSTALL_LOG" 2>&1 <<'EOF' ||
\getenv pg_user WHYFLOW_PG_USER
\getenv pg_password WHYFLOW_PG_PASSWORD
\getenv pg_db WHYFLOW_PG_DB
SELECT format('CREATE ROLE %I', :'pg_user')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'pg_user') \gexec
ALTER ROLE :"pg_user" WITH LOGIN SUPERUSER PASSWORD :'pg_password';
SELECT format('CREATE DATABASE %I OWNER %I', :'pg_db', :'pg_user')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'pg_db') \gexec
EOF
    install_failed "could not create role $WHYFLOW_PG_USER / database $WHYFLOW_PG_DB"
}

# --- commands -------------------------------------------------------------------------------------

cmd_up() {
  need_supported
  need_root up
  take_lock
  cmd_install
  pg_ids
  local pid port
  if pid=$(server_pid); then
    port=$(server_port)
    [[ $port == "$WHYFLOW_PG_PORT" ]] ||
      die "postgres is already up on port $port, not WHYFLOW_PG_PORT=$WHYFLOW_PG_PORT: run '$0 down' first"
    ensure_role_and_db "$port"
    info "postgres is already up on 127.0.0.1:$port (pid $pid)"
    return 0
  fi
  if port_in_use "$WHYFLOW_PG_PORT"; then
    local who=""
    command -v ss >/dev/null &&
      who=$(ss -Hltnp "sport = :$WHYFLOW_PG_PORT" 2>/dev/null | sed -n -E 's/.*users:\(\("([^"]*)",pid=([0-9]+).*/ by \1 (pid \2)/p' | head -n 1)
    die "cannot start PostgreSQL: port $WHYFLOW_PG_PORT on 127.0.0.1 is already in use${who}; set WHYFLOW_PG_PORT to a free port"
  fi
  local t0=$SECONDS
  if [[ $MODE == native ]]; then
    mkdir -p "$WHYFLOW_HOME"
    ensure_reachable "$WHYFLOW_HOME"; ensure_reachable "$WHYFLOW_RUN_DIR"; ensure_reachable "$WHYFLOW_LOG_DIR"
  else
    mkdir -p "$PG_ROOT/var/lib/whyflow" "$PG_ROOT/var/log/whyflow"
  fi
  [[ -f $DATA_HOST/PG_VERSION ]] || init_cluster
  install -d -o "$PG_UID" -g "$PG_GID" -m 755 "$SOCK_HOST"
  [[ -e $LOG_HOST ]] || install -o "$PG_UID" -g "$PG_GID" -m 640 /dev/null "$LOG_HOST"
  [[ $MODE != chroot ]] || ln -sfn "$LOG_HOST" "$LINK_LOG"
  write_config
  clear_stale_pidfile
  echo "== $(date -u +%FT%TZ) pg_ctl start" >>"$INSTALL_LOG"
  # pg_ctl detaches the server into its own session; fd 9 (our lock) must not leak into it.
  as_pg pg_ctl start -D "$DATA_IN" -l "$LOG_IN" -w -t 60 >>"$INSTALL_LOG" 2>&1 9>&- ||
    die "PostgreSQL failed to start; see $LOG_HOST"
  ensure_role_and_db "$WHYFLOW_PG_PORT"
  info "postgres is up on 127.0.0.1:$WHYFLOW_PG_PORT, db $WHYFLOW_PG_DB, user $WHYFLOW_PG_USER ($((SECONDS - t0)) s; log: $LOG_HOST)"
}

cmd_down() {
  need_root down
  take_lock
  local pid
  if ! pid=$(server_pid); then info "postgres is already down"; return 0; fi
  pg_ids
  echo "== $(date -u +%FT%TZ) pg_ctl stop" >>"$INSTALL_LOG"
  if ! as_pg pg_ctl stop -D "$DATA_IN" -m fast -w -t 60 >>"$INSTALL_LOG" 2>&1; then
    info "fast shutdown did not finish in 60 s; using immediate shutdown"
    as_pg pg_ctl stop -D "$DATA_IN" -m immediate -w -t 30 >>"$INSTALL_LOG" 2>&1 || true
  fi
  for _ in $(seq 1 50); do alive "$pid" || break; sleep 0.2; done
  alive "$pid" && die "postgres (pid $pid) did not stop; see $LOG_HOST"
  info "postgres is down"
}

cmd_status() {
  local pid
  if pid=$(server_pid) && port_in_use "$(server_port)"; then
    echo "whyflow: postgres up on 127.0.0.1:$(server_port) ($(versions); pid $pid)"
    return 0
  elif [[ -n ${pid:-} ]]; then
    echo "whyflow: postgres down: pid $pid runs but 127.0.0.1:$(server_port) does not answer (starting or stopping)"
  elif [[ $MODE != unsupported ]] && installed; then
    echo "whyflow: postgres down (port $WHYFLOW_PG_PORT; $(versions) installed): ./whyflow up postgres"
  else
    echo "whyflow: postgres down (port $WHYFLOW_PG_PORT; not installed): ./whyflow up postgres"
  fi
  return 3
}

cmd_psql() {
  need_supported
  installed || die "postgres is not installed: run '$0 up'"
  server_pid >/dev/null || die "postgres is not running: run '$0 up'"
  export PGHOST=127.0.0.1 PGPORT=$WHYFLOW_PG_PORT PGUSER=$WHYFLOW_PG_USER PGDATABASE=$WHYFLOW_PG_DB \
    PGPASSWORD=$WHYFLOW_PG_PASSWORD
  if [[ $MODE == native ]]; then exec "$PG_BIN/psql" "$@"; fi
  # The chroot's psql 17 runs through the chroot's own dynamic loader and libraries, but in the
  # host's filesystem, so file arguments (-f, \i, \copy, -o) resolve as the caller expects.
  local loader="" f
  for f in "$PG_ROOT"/usr/lib/*-linux-gnu*/ld-linux*.so.[0-9]; do [[ -f $f ]] && { loader=$f; break; }; done
  if [[ -n $loader ]]; then
    exec "$loader" --library-path "$(dirname "$loader")" "$PG_ROOT$PG_BIN/psql" "$@"
  fi
  # Fallback: psql inside the chroot (paths then resolve inside it; stdin still works).
  exec chroot "$PG_ROOT" "$PG_BIN/psql" "$@"
}

cmd_destroy() {
  cmd_down
  [[ -n $DATA_HOST && $DATA_HOST == */pgdata ]] || die "refusing to delete '$DATA_HOST'"
  server_pid >/dev/null && die "postgres still runs; not deleting $DATA_HOST"
  rm -rf --one-file-system "$DATA_HOST" "$DATA_HOST.new"
  info "deleted $DATA_HOST"
}

usage() {
  sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# Ctrl-C or TERM: debootstrap and apt may finish their current step first; a partial chroot is
# then removed (and one that survives a harder kill is never used, and is removed by the next install).
BUILD_DIR=""
on_signal() {
  trap - INT TERM
  [[ -n $BUILD_DIR && -d $BUILD_DIR ]] && remove_build_dir "$BUILD_DIR"
  die "interrupted"
}
trap on_signal INT TERM

cmd=${1:-}
[[ $# -gt 0 ]] && shift
case $cmd in
  install) need_root install; take_lock; cmd_install; info "postgres is installed ($(versions))" ;;
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  logfile) echo "$LOG_HOST" ;;
  psql) cmd_psql "$@" ;;
  destroy) cmd_destroy ;;
  *) usage ;;
esac
