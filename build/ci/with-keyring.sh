#!/usr/bin/env bash
# Runs a command with GNOME Keyring's Secret Service unlocked on the current D-Bus session, so Electron's
# safeStorage on Linux uses a real keyring (libsecret) as on a desktop. Use inside dbus-run-session, on a
# throwaway CI machine: the first --unlock creates the login keyring with this password, later ones open it.
set -euo pipefail
eval "$(printf 'loupe-ci' | gnome-keyring-daemon --unlock | sed 's/^/export /')"
export XDG_CURRENT_DESKTOP="${XDG_CURRENT_DESKTOP:-GNOME}"
exec "$@"
