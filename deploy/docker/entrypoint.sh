#!/bin/sh
# Entry point of the docanalysis image.
#
#   docanalysis-entrypoint server [FLAG...]   (default) prepare the plugin folder, then run the server
#   docanalysis-entrypoint plugin-sync        copy plugin folders from the extra-plugins folder into the plugin
#                                             folder every DOCANALYSIS_PLUGIN_SYNC_SECONDS (the Kubernetes sidecar)
#   docanalysis-entrypoint COMMAND...         run anything else (a shell for debugging, say)
#
# Environment (the Kubernetes ConfigMap docanalysis-server-flags sets these):
#   DOCANALYSIS_LISTEN            --listen of the server (default 0.0.0.0:50051)
#   DOCANALYSIS_PLUGIN_DIR        --plugin_dir of the server, a writable folder (default /var/lib/docanalysis/plugins)
#   DOCANALYSIS_EXTRA_PLUGIN_DIR  plugin folders to add to the built-in ones (default /var/lib/docanalysis/plugins-extra)
#   DOCANALYSIS_EXTRA_FLAGS       more server flags, split on white space
#   DOCANALYSIS_PLUGIN_SYNC_SECONDS  period of plugin-sync (default 10)
#
# The built-in plugins live in /opt/docanalysis/plugins (read-only). Before the server starts they are copied
# into the plugin folder, unless a folder of the same name is already there (so a mounted plugin folder can
# override a built-in one), and so are the folders in the extra-plugins folder. The server watches the plugin
# folder, so a plugin copied there later (by plugin-sync, or by hand into a mounted folder) is loaded without a
# restart. A plugin folder is copied with its manifest (plugin.json) last, and each file is renamed into place,
# so the server never sees a half-written plugin.
set -eu

BUILTIN_DIR=${DOCANALYSIS_BUILTIN_PLUGIN_DIR:-/opt/docanalysis/plugins}
SERVER=${DOCANALYSIS_SERVER:-/opt/docanalysis/bin/docanalysis-server}
: "${DOCANALYSIS_LISTEN:=0.0.0.0:50051}"
: "${DOCANALYSIS_PLUGIN_DIR:=/var/lib/docanalysis/plugins}"
: "${DOCANALYSIS_EXTRA_PLUGIN_DIR:=/var/lib/docanalysis/plugins-extra}"
: "${DOCANALYSIS_EXTRA_FLAGS:=}"
: "${DOCANALYSIS_PLUGIN_SYNC_SECONDS:=10}"

log() { echo "docanalysis-entrypoint: $*" >&2; }

# copy_plugin SRC DST: make DST a copy of the plugin folder SRC; plugin.json last. Returns 0 if it copied.
copy_plugin() {
  cp_src=$1 cp_dst=$2
  [ -f "$cp_src/plugin.json" ] || return 1  # not (yet) a complete plugin folder
  if [ -d "$cp_dst" ] && diff -rq "$cp_src" "$cp_dst" >/dev/null 2>&1; then
    return 1  # already up to date
  fi
  mkdir -p "$cp_dst"
  for cp_f in "$cp_src"/* "$cp_src"/.[!.]*; do
    [ -e "$cp_f" ] || continue
    cp_name=${cp_f##*/}
    [ "$cp_name" = plugin.json ] && continue
    if [ -d "$cp_f" ]; then
      if [ -d "$cp_dst/$cp_name" ] && diff -rq "$cp_f" "$cp_dst/$cp_name" >/dev/null 2>&1; then continue; fi
      rm -rf "$cp_dst/.$cp_name.tmp" "$cp_dst/.$cp_name.old"
      cp -R "$cp_f" "$cp_dst/.$cp_name.tmp"
      [ -e "$cp_dst/$cp_name" ] && mv "$cp_dst/$cp_name" "$cp_dst/.$cp_name.old"
      mv "$cp_dst/.$cp_name.tmp" "$cp_dst/$cp_name"
      rm -rf "$cp_dst/.$cp_name.old"
    elif ! cmp -s "$cp_f" "$cp_dst/$cp_name"; then
      cp "$cp_f" "$cp_dst/.$cp_name.tmp"
      mv -f "$cp_dst/.$cp_name.tmp" "$cp_dst/$cp_name"
    fi
  done
  cp "$cp_src/plugin.json" "$cp_dst/.plugin.json.tmp"
  mv -f "$cp_dst/.plugin.json.tmp" "$cp_dst/plugin.json"
  return 0
}

# sync_dir FROM: copy every plugin folder of FROM into the plugin folder. With "keep", existing folders win.
sync_dir() {
  sd_from=$1 sd_mode=${2:-update}
  [ -d "$sd_from" ] || return 0
  for sd_p in "$sd_from"/*/; do
    [ -d "$sd_p" ] || continue
    sd_p=${sd_p%/}
    sd_name=${sd_p##*/}
    if [ "$sd_mode" = keep ] && [ -e "$DOCANALYSIS_PLUGIN_DIR/$sd_name" ]; then continue; fi
    if copy_plugin "$sd_p" "$DOCANALYSIS_PLUGIN_DIR/$sd_name"; then log "plugin $sd_name copied from $sd_from"; fi
  done
}

cmd=${1:-server}
case "$cmd" in
  server)
    shift || true
    plugin_dir=$DOCANALYSIS_PLUGIN_DIR
    if mkdir -p "$plugin_dir" 2>/dev/null && [ -w "$plugin_dir" ]; then
      sync_dir "$DOCANALYSIS_EXTRA_PLUGIN_DIR"
      sync_dir "$BUILTIN_DIR" keep
    else
      # Nothing writable to assemble a plugin folder in: serve the built-in plugins as they are.
      log "$plugin_dir is not writable; serving the built-in plugins from $BUILTIN_DIR"
      plugin_dir=$BUILTIN_DIR
    fi
    # shellcheck disable=SC2086  # DOCANALYSIS_EXTRA_FLAGS is a list of flags
    exec "$SERVER" --listen "$DOCANALYSIS_LISTEN" --plugin_dir "$plugin_dir" $DOCANALYSIS_EXTRA_FLAGS "$@"
    ;;
  plugin-sync)
    log "copying plugins from $DOCANALYSIS_EXTRA_PLUGIN_DIR to $DOCANALYSIS_PLUGIN_DIR every ${DOCANALYSIS_PLUGIN_SYNC_SECONDS}s"
    trap 'exit 0' TERM INT
    while :; do
      sync_dir "$DOCANALYSIS_EXTRA_PLUGIN_DIR" || log "sync failed; retrying"
      sleep "$DOCANALYSIS_PLUGIN_SYNC_SECONDS" &
      wait $! || true
    done
    ;;
  *)
    exec "$@"
    ;;
esac
