# shellcheck shell=bash
#
# Trusted commits only. With VALOR_TRUSTED_SIGNERS (an allowed-signers file:
# git's gpg.ssh.allowedSignersFile format, SSH keys) or VALOR_TRUSTED_GPG_KEYS
# (a file of OpenPGP public keys, such as GitHub's web-flow key) set, an
# update moves only to an upstream tip that one of those keys signed, and it
# is checked before anything changes. Only the tip is verified: its signature
# covers its tree and, through its parents' ids, the whole history below it;
# requiring every commit signed would refuse every merge of a contributor's
# unsigned commits. --check names the commits below the tip that no trusted
# key signed. The fast-forward then moves to the very commit verified, not to
# wherever the remote-tracking ref has moved since (a --check's fetch may move
# it at any time).
#
# Nothing here starts a process while neither setting is set.
#
# Sourced by scripts/remote-update.sh: functions only. Uses its say, fail,
# env_file_setting, ENV_FILE, check_problem, short, CHECK_ONLY, WORK_DIR,
# UPSTREAM and SUMMARY.

# Settings are checked with the others, before anything is read or written,
# from the environment or else the project's .env: a file that is missing, a
# folder or unreadable, or the tool that checks its signatures missing from
# PATH, is a bad setting (exit 2). Sets TRUSTED_SIGNERS and TRUSTED_GPG_KEYS
# to absolute paths, or "".
check_trust_settings() {
  local signers_origin="" keys_origin=""
  TRUSTED_SIGNERS="" TRUSTED_GPG_KEYS="" TRUSTED_GNUPGHOME="" SIGNED_BY=""
  if env_file_setting "$ENV_FILE" VALOR_TRUSTED_SIGNERS; then
    signers_origin=" in .env"
  fi
  if env_file_setting "$ENV_FILE" VALOR_TRUSTED_GPG_KEYS; then
    keys_origin=" in .env"
  fi
  if [ -n "${VALOR_TRUSTED_SIGNERS:-}" ]; then
    trusted_file VALOR_TRUSTED_SIGNERS "allowed-signers file" "$VALOR_TRUSTED_SIGNERS" "$signers_origin"
    TRUSTED_SIGNERS=$TRUSTED_FILE
    require_signature_tool VALOR_TRUSTED_SIGNERS ssh-keygen "checks SSH signatures"
  fi
  if [ -n "${VALOR_TRUSTED_GPG_KEYS:-}" ]; then
    trusted_file VALOR_TRUSTED_GPG_KEYS "file of OpenPGP public keys" "$VALOR_TRUSTED_GPG_KEYS" "$keys_origin"
    TRUSTED_GPG_KEYS=$TRUSTED_FILE
    require_signature_tool VALOR_TRUSTED_GPG_KEYS gpg "checks GPG signatures (GnuPG)"
  fi
}

# trusted_file SETTING WHAT VALUE ORIGIN: VALUE as an absolute path in
# TRUSTED_FILE (relative to the checkout; "~/" is the home folder).
trusted_file() {
  local name=$1 what=$2 value=$3 origin=$4 problem=""
  case "$value" in
    \~/*) TRUSTED_FILE="$HOME/${value#\~/}" ;;
    /*) TRUSTED_FILE=$value ;;
    *) TRUSTED_FILE="$PROJECT_DIR/$value" ;;
  esac
  if [ -d "$TRUSTED_FILE" ]; then
    problem="a folder"
  elif [ ! -e "$TRUSTED_FILE" ]; then
    problem="no such file"
  elif [ ! -r "$TRUSTED_FILE" ]; then
    problem="not readable"
  fi
  [ -n "$problem" ] || return 0
  say "FAIL: $name must name a readable $what (got '$value'$origin: $problem)"
  exit 2
}

require_signature_tool() {
  local name=$1 tool=$2 job=$3
  command -v "$tool" >/dev/null 2>&1 && return 0
  say "FAIL: $name is set, but $tool, which $job, is not on PATH ($PATH)"
  exit 2
}

# git, asked about signatures against the trusted keys only: the machine's
# own allowed-signers file and GPG keyring (where its owner's key is trusted)
# play no part, nor does a gpg.minTrustLevel or log.showSignature of theirs.
# An SSH key is trusted when the allowed-signers file lists it; a GPG key when
# VALOR_TRUSTED_GPG_KEYS holds it (a keyring of those keys alone, trusted as
# they are: trust-model always). Without GPG keys, GNUPGHOME names a folder
# that does not exist, so that every GPG signature is one gpg cannot check.
trusted_git() {
  GNUPGHOME="${TRUSTED_GNUPGHOME:-$WORK_DIR/no-trusted-gpg-keys}" git \
    -c gpg.ssh.allowedSignersFile="${TRUSTED_SIGNERS:-/dev/null}" \
    -c gpg.minTrustLevel=undefined "$@" 2>/dev/null
}

# A keyring of VALOR_TRUSTED_GPG_KEYS, made afresh for the run (a key taken
# out of the file is no longer trusted). --no-autostart: no gpg-agent outlives
# the run (checking a signature needs none). It is a folder of its own in the
# temporary folder, not in the checkout: gpg names its agent's socket inside
# it, and a socket's path longer than about 104 bytes (a checkout deep in a
# home folder) makes every gpg command fail. Removed with the run's lock.
trusted_keyring() {
  local home said
  [ -n "$TRUSTED_GPG_KEYS" ] && [ -z "$TRUSTED_GNUPGHOME" ] || return 0
  home="$(mktemp -d "${TMPDIR:-/tmp}/valor-gpg.XXXXXX")"
  TRUSTED_GNUPGHOME=$home
  printf 'trust-model always\n' > "$home/gpg.conf"
  if ! gpg --batch --quiet --no-autostart --homedir "$home" --import "$TRUSTED_GPG_KEYS" > "$WORK_DIR/gpg.out" 2>&1; then
    said="$(sed -n '$p' "$WORK_DIR/gpg.out")"
    said=${said#gpg: }
    fail "VALOR_TRUSTED_GPG_KEYS ($TRUSTED_GPG_KEYS) holds no key gpg can read (${said%.}); nothing was changed"
  fi
}

# What git's verdict (%G?) on a signature means, for the FAIL line.
untrusted_reason() {
  local status=$1 key=$2 kind="GPG key"
  case "$key" in
    SHA256:*) kind="SSH key" ;;
  esac
  case "$status" in
    N) echo "no signature" ;;
    B) echo "a bad signature: the commit is not what $kind $key signed" ;;
    U | E) echo "signed with $kind $key, which is not a trusted key" ;;
    X) echo "its signature by $kind $key has expired" ;;
    Y) echo "signed with $kind $key, which has expired" ;;
    R) echo "signed with $kind $key, which is revoked" ;;
    *) echo "git could not check its signature" ;;
  esac
}

# Verifies the upstream tip before anything changes: trusted, the update goes
# on from the very commit verified (UPSTREAM is set to it) and SIGNED_BY names
# the signer; not, the run's FAIL line (in --check, one of its problems).
verify_upstream_tip() {
  local sha="" status="" signer="" key="" subject="" problem
  [ -n "$TRUSTED_SIGNERS$TRUSTED_GPG_KEYS" ] || return 0
  trusted_keyring
  {
    read -r sha
    read -r status
    read -r signer
    read -r key
    IFS= read -r subject
  } <<< "$(trusted_git log -1 --no-show-signature --format='%H%n%G?%n%GS%n%GK%n%s' "$UPSTREAM")" || true
  if [ "$status" = G ]; then
    SIGNED_BY=$signer
    UPSTREAM=$sha
    say "Verified: $(short "$sha") \"$subject\" is signed by $signer, a trusted key."
    if [ "$CHECK_ONLY" = true ]; then
      describe_unverified_below "$sha"
    fi
    return 0
  fi
  problem="$(short "${sha:-$UPSTREAM}") \"$subject\" is not signed by a trusted key ($(untrusted_reason "$status" "$key")); nothing was changed"
  if [ "$CHECK_ONLY" = true ]; then
    check_problem "$problem"
  else
    fail "$problem"
  fi
}

# --check only: the incoming commits below the verified tip that no trusted
# key signed (it asks about each one's signature: a process per signed commit).
describe_unverified_below() {
  local tip=$1 sha status count=0 listed=""
  while read -r sha status; do
    if [ -z "$sha" ] || [ "$status" = G ]; then
      continue
    fi
    count=$((count + 1))
    if [ "$count" -le 5 ]; then
      listed="$listed${listed:+, }$sha"
    fi
  done <<< "$(trusted_git log --no-show-signature --format='%h %G?' "$tip^@" --not HEAD)"
  [ "$count" -gt 0 ] || return 0
  [ "$count" -le 5 ] || listed="$listed, …"
  say "WARN: $count incoming commit(s) below it are not signed by a trusted key: $listed. Only the tip is verified; its signature vouches for the history below it."
}

# The summary of a verified update says by whom.
note_signer() {
  [ -z "$SIGNED_BY" ] || SUMMARY="$SUMMARY Signed by $SIGNED_BY."
}
