# shellcheck shell=bash
#
# The project's .env, read for the settings this script uses by the bridge's
# rules (src/config/env-file.ts: Node's parseEnv, one entry at a time), with
# bash's read: no process. The forms docs/update-script.md lists are read as
# Node reads them (test/bats/env-file.bats gives both readers one file). A
# value in quotes that runs past its line is not among them: the lines up to
# its closing quote are skipped, as Node takes them into that value, and the
# value is read as the text on its first line.
#
# Sourced by scripts/remote-update.sh: functions only.

# A line env-file.ts takes for an entry. The letters are listed one by one:
# a range can take in other letters in some locales.
readonly ENV_FILE_ENTRY='^[[:space:]]*(export[[:space:]]+)?[ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_][ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_]*[[:space:]]*=(.*)$'

# env_file_setting FILE NAME: when the environment has no NAME and FILE has
# an entry for it, sets NAME to the value of the last one and succeeds.
env_file_setting() {
  local file=$1 name=$2 line key value found=false open=""
  [ -z "${!name+set}" ] && [ -f "$file" ] || return 1
  while IFS= read -r line || [ -n "$line" ]; do
    line=${line%$'\r'}
    if [ -n "$open" ]; then
      case "$line" in
        *"$open"*) open="" ;;
      esac
      continue
    fi
    [[ $line =~ $ENV_FILE_ENTRY ]] || continue
    key=${line%%=*}
    value=${line#*=}
    # Node's key: spaces trimmed, then one "export " dropped.
    key=${key#"${key%%[! ]*}"}
    key=${key%"${key##*[! ]}"}
    if [ "${key#export }" = "$name" ]; then
      env_file_value "$value"
      found=true
    fi
    # A quote that opens the value and does not close on its line (env-file.ts's entryLength).
    open=${value#"${value%%[![:space:]]*}"}
    case "$open" in
      \"* | \'* | \`*)
        open=${open:0:1}
        case "${value#*"$open"}" in
          *"$open"*) open="" ;;
        esac
        ;;
      *) open="" ;;
    esac
  done < "$file"
  [ "$found" = true ] || return 1
  printf -v "$name" '%s' "$ENV_FILE_VALUE"
}

# env_file_value TEXT: sets ENV_FILE_VALUE to what Node makes of the TEXT
# after an entry's "=": spaces trimmed; in quotes closed on the line, what
# they hold ("\n" a newline in double quotes); else the text before any "#".
env_file_value() {
  local value=$1 quote rest
  value=${value#"${value%%[! ]*}"}
  case "$value" in
    \"* | \'* | \`*)
      quote=${value:0:1}
      rest=${value:1}
      case "$rest" in
        *"$quote"*)
          ENV_FILE_VALUE=${rest%%"$quote"*}
          if [ "$quote" = '"' ]; then
            ENV_FILE_VALUE=${ENV_FILE_VALUE//\\n/$'\n'}
          fi
          return 0
          ;;
      esac
      ;;
    *) value=${value%%#*} ;;
  esac
  ENV_FILE_VALUE=${value%"${value##*[! ]}"}
}
