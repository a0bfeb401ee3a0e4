#!/usr/bin/env bash
# The Flink SQL client inside the Whyflow image, with every Whyflow table defined and the UDFs
# registered, as deploy/local/sql.sh does on the local stack. Settings from the environment:
# WHYFLOW_KAFKA_BOOTSTRAP, WHYFLOW_PG_URL, WHYFLOW_PG_USER, WHYFLOW_PG_PASSWORD (and WHYFLOW_TOPIC_*);
# the cluster from Flink's configuration (jobmanager.rpc.address / rest.address, e.g. FLINK_PROPERTIES).
#   sql-client.sh [--bounded] [SQL client options]     the interactive client (--bounded: queries
#                                                      read the topics up to their end)
#   sql-client.sh -f FILE [--follow] [SQL client options]
#                                                      a script, e.g. -f /opt/whyflow/sql/flink/07_dead_letters_by_reason.sql:
#                                                      reads the topics as they are and exits, as
#                                                      ./whyflow sql -f does; --follow keeps reading
set -euo pipefail
bounded="" follow="" script="" args=()
while (($#)); do
  case $1 in
    --bounded) bounded=--bounded ;;
    --follow) follow=1 ;;
    -f|--file) script=1; args+=("$1") ;;
    *) args+=("$1") ;;
  esac
  shift
done
if [[ -n $script && -z $follow ]]; then bounded=--bounded; fi
mkdir -p "${WHYFLOW_HOME:-/tmp/whyflow}"
init=${WHYFLOW_HOME:-/tmp/whyflow}/init.sql
/opt/whyflow/deploy/local/sql.sh init $bounded >"$init"
# The official image's docker-entrypoint.sh writes FLINK_PROPERTIES into the configuration for
# jobmanager/taskmanager only; do the same here so the client finds the cluster.
if [[ -n ${FLINK_PROPERTIES:-} ]]; then echo "$FLINK_PROPERTIES" >>"$FLINK_HOME/conf/config.yaml"; fi
exec "$FLINK_HOME/bin/sql-client.sh" embedded -i "$init" -l file:///opt/flink/sql-lib -hist "${WHYFLOW_HOME:-/tmp/whyflow}/history" ${args[@]+"${args[@]}"}
