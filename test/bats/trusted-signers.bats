#!/usr/bin/env bats
# Trusted commits only (scripts/lib/trusted-signers.sh): with
# VALOR_TRUSTED_SIGNERS (an allowed-signers file) or VALOR_TRUSTED_GPG_KEYS
# set, the update moves only to an upstream tip a trusted key signed. Real
# keys, made here: ssh-keygen's, and gpg's. The upstream signs as a person
# would, with git config (gpg.format, user.signingkey, commit.gpgsign).

load test_helper

setup() {
  setup_repos
  local cmd
  for cmd in ssh-keygen gpg; do
    ln -s "$(command -v "$cmd")" "$SYSTEM_BIN/$cmd"
  done
  KEYS="$BATS_TEST_TMPDIR/keys"
  mkdir -p "$KEYS"
  make_ssh_key alice
  make_ssh_key mallory
  printf 'alice@example.com namespaces="git" %s\n' "$(cat "$KEYS/alice.pub")" > "$KEYS/allowed_signers"
  export VALOR_TRUSTED_SIGNERS="$KEYS/allowed_signers"
  # The signing side's own keyring; the machine's runs see it too, as its
  # owner's keyring, and must not trust it.
  export GNUPGHOME="$BATS_TEST_TMPDIR/gnupg"
}

teardown() {
  if [ -d "$GNUPGHOME" ]; then
    gpgconf --homedir "$GNUPGHOME" --kill gpg-agent 2>/dev/null || true
  fi
}

make_ssh_key() {
  ssh-keygen -q -t ed25519 -N '' -C "$1" -f "$KEYS/$1"
}

ssh_fingerprint() {
  ssh-keygen -lf "$KEYS/$1.pub" | cut -d' ' -f2
}

# sign_upstream_with NAME|none: how the upstream's next commits are signed.
sign_upstream_with() {
  if [ "$1" = none ]; then
    git -C "$UPSTREAM" config commit.gpgsign false
    return 0
  fi
  git -C "$UPSTREAM" config gpg.format ssh
  git -C "$UPSTREAM" config user.signingkey "$KEYS/$1"
  git -C "$UPSTREAM" config commit.gpgsign true
}

# A GPG key for Bob in GNUPGHOME, its public half in $KEYS/bob.asc; signs
# the upstream's next commits.
sign_upstream_with_gpg() {
  mkdir -m 700 "$GNUPGHOME"
  gpg --batch --quiet --passphrase '' --quick-gen-key 'Bob <bob@example.com>' ed25519 sign never 2>/dev/null
  BOB_KEY="$(gpg --list-keys --with-colons bob@example.com | sed -n 's/^fpr:*\([0-9A-F]*\):$/\1/p' | sed -n 1p)"
  gpg --export --armor "$BOB_KEY" > "$KEYS/bob.asc"
  git -C "$UPSTREAM" config gpg.format openpgp
  git -C "$UPSTREAM" config user.signingkey "$BOB_KEY"
  git -C "$UPSTREAM" config commit.gpgsign true
}

# What "nothing was changed" covers: HEAD, the tree (tracked edits,
# untracked files) and the stash list.
machine_state() {
  git -C "$MACHINE" rev-parse HEAD
  git -C "$MACHINE" status --porcelain --untracked-files=all
  git -C "$MACHINE" diff HEAD
  git -C "$MACHINE" stash list
}

# A machine with local edits, an untracked file and someone's stash entry.
dirty_machine() {
  printf 'stashed by hand\n' >> "$MACHINE/README.md"
  git -C "$MACHINE" stash -q
  printf 'a local edit\n' >> "$MACHINE/README.md"
  printf 'mine\n' > "$MACHINE/untracked.txt"
}

assert_nothing_changed() {
  assert_equal "$(machine_state)" "$1"
  assert_no_restart_flag
  assert_equal "$(ls -A "$MACHINE/data")" "last-update"
}

# assert_refused WHY: an upstream commit over a dirty machine, its tip signed
# as the upstream is set to sign: the run's one line is the FAIL line giving
# WHY, recorded as failed, and nothing changed.
assert_refused() {
  local why=$1 before line
  upstream_commit notes.txt "a note" "Add notes"
  dirty_machine
  before="$(machine_state)"
  line="FAIL: $(short_sha "$UPSTREAM") \"Add notes\" is not signed by a trusted key ($why); nothing was changed"

  run_update

  assert_failure 1
  assert_output "[remote-update] $line"
  assert_nothing_changed "$before"
  assert_last_update outcome failed
  assert_last_update exit 1
  assert_last_update summary "$line"
}

run_check() {
  PATH="$SCRIPT_PATH" run bash "$(update_script)" --check
}

@test "a tip signed by a trusted SSH key: the update goes on, and its summary says by whom" {
  sign_upstream_with alice
  upstream_commit notes.txt "a note" "Add notes"
  local tip
  tip="$(short_sha "$UPSTREAM")"
  dirty_machine

  run_update

  assert_success
  assert_line -n 0 "[remote-update] Verified: $tip \"Add notes\" is signed by alice@example.com, a trusted key."
  assert_line "[remote-update] Update complete. 1 commit(s) pulled, restart queued. Signed by alice@example.com."
  assert_last_line "[remote-update] HEAD: $tip — Add notes"
  assert_equal "$(head_of "$MACHINE")" "$(head_of "$UPSTREAM")"
  assert_equal "$(tail -n 1 "$MACHINE/README.md")" "a local edit"
  assert_last_update outcome updated
  assert_last_update summary "Update complete. 1 commit(s) pulled, restart queued. Signed by alice@example.com."
  assert [ -e "$MACHINE/data/restart-requested" ]
}

@test "an unsigned tip: FAIL, exit 1, recorded, nothing changed" {
  sign_upstream_with none
  assert_refused "no signature"
}

@test "a tip signed by a key the file does not list: refused, naming the key, nothing changed" {
  sign_upstream_with mallory
  assert_refused "signed with SSH key $(ssh_fingerprint mallory), which is not a trusted key"
}

@test "a trusted tip over commits no trusted key signed: updated (only the tip is verified); --check names them first" {
  sign_upstream_with none
  upstream_commit one.txt "1" "Unsigned one"
  local unsigned signed_by_mallory tip
  unsigned="$(short_sha "$UPSTREAM")"
  sign_upstream_with mallory
  upstream_commit two.txt "2" "Mallory's"
  signed_by_mallory="$(short_sha "$UPSTREAM")"
  sign_upstream_with alice
  upstream_commit three.txt "3" "Merge them"
  tip="$(short_sha "$UPSTREAM")"

  run_check

  assert_success
  assert_output "[remote-update] Check only: nothing is changed but the remote-tracking refs.
[remote-update] Verified: $tip \"Merge them\" is signed by alice@example.com, a trusted key.
[remote-update] WARN: 2 incoming commit(s) below it are not signed by a trusted key: $signed_by_mallory, $unsigned. Only the tip is verified; its signature vouches for the history below it.
[remote-update] 3 incoming commit(s):
[remote-update]   $tip Merge them
[remote-update]   $signed_by_mallory Mallory's
[remote-update]   $unsigned Unsigned one
[remote-update] Would queue a restart.
[remote-update] Check: an update would succeed."

  run_update

  assert_success
  assert_line "[remote-update] Update complete. 3 commit(s) pulled, restart queued. Signed by alice@example.com."
  assert_equal "$(head_of "$MACHINE")" "$(head_of "$UPSTREAM")"
}

@test "--check: an untrusted tip is the FAIL line a run would print, after nothing is changed" {
  sign_upstream_with none
  upstream_commit notes.txt "a note" "Add notes"
  dirty_machine
  local before tip
  before="$(machine_state)"
  tip="$(short_sha "$UPSTREAM")"

  run_check

  assert_failure 1
  assert_output "[remote-update] Check only: nothing is changed but the remote-tracking refs.
[remote-update] FAIL: $tip \"Add notes\" is not signed by a trusted key (no signature); nothing was changed
[remote-update] 1 incoming commit(s):
[remote-update]   $tip Add notes
[remote-update] Check: an update would fail: $tip \"Add notes\" is not signed by a trusted key (no signature); nothing was changed."
  assert_equal "$(machine_state)" "$before"
  assert [ ! -e "$MACHINE/data" ]
}

@test "a tip signed by a trusted GPG key (VALOR_TRUSTED_GPG_KEYS): updated, signed by its user id" {
  sign_upstream_with_gpg
  upstream_commit notes.txt "a note" "Merge pull request #1"

  VALOR_TRUSTED_GPG_KEYS="$KEYS/bob.asc" run_update

  assert_success
  assert_line -n 0 "[remote-update] Verified: $(short_sha "$UPSTREAM") \"Merge pull request #1\" is signed by Bob <bob@example.com>, a trusted key."
  assert_last_update summary "Update complete. 1 commit(s) pulled, restart queued. Signed by Bob <bob@example.com>."
  assert_equal "$(head_of "$MACHINE")" "$(head_of "$UPSTREAM")"
  # The keyring was the run's own: gone with it, and no gpg-agent of it is left.
  assert [ ! -e "$MACHINE/data/update.lock" ]
  run bash -c "ps -eo args | grep '[t]rusted-gpg-keys'"
  assert_output ""
}

@test "a GPG signature with no VALOR_TRUSTED_GPG_KEYS: refused, though the machine's own keyring trusts the key" {
  sign_upstream_with_gpg
  assert_refused "signed with GPG key ${BOB_KEY:24}, which is not a trusted key"
}

@test "VALOR_TRUSTED_GPG_KEYS that holds no key: FAIL, exit 1, nothing changed" {
  sign_upstream_with_gpg
  upstream_commit notes.txt "a note" "Add notes"
  printf 'not a key\n' > "$KEYS/garbage.asc"
  local before
  before="$(machine_state)"

  VALOR_TRUSTED_GPG_KEYS="$KEYS/garbage.asc" run_update

  assert_failure 1
  assert_output "[remote-update] FAIL: VALOR_TRUSTED_GPG_KEYS ($KEYS/garbage.asc) holds no key gpg can read (no valid OpenPGP data found); nothing was changed"
  assert_nothing_changed "$before"
}

@test "the fast-forward goes to the commit verified, though the remote-tracking ref moves while it is checked" {
  sign_upstream_with alice
  upstream_commit notes.txt "a note" "Add notes"
  local verified unsigned
  verified="$(head_of "$UPSTREAM")"
  sign_upstream_with none
  git -C "$UPSTREAM" commit -q --allow-empty -m "Unsigned, on another branch"
  git -C "$UPSTREAM" push -q origin HEAD:refs/heads/other
  unsigned="$(head_of "$UPSTREAM")"
  # While git checks the signature (ssh-keygen), the ref moves to an unsigned commit.
  make_stub ssh-keygen "git -C '$MACHINE' update-ref refs/remotes/origin/main $unsigned; exec '$(command -v ssh-keygen)' \"\$@\""

  run_update

  assert_success
  assert_line "[remote-update] Update complete. 1 commit(s) pulled, restart queued. Signed by alice@example.com."
  assert_equal "$(head_of "$MACHINE")" "$verified"
}

@test "a missing file, a folder: a bad setting, one line, exit 2, nothing written" {
  upstream_commit notes.txt "a note" "Add notes"
  local value problem before
  before="$(head_of "$MACHINE")"
  for value in "$KEYS/no-such-file:no such file" "$KEYS:a folder"; do
    problem=${value##*:}
    value=${value%:*}
    VALOR_TRUSTED_SIGNERS=$value run_update
    assert_failure 2
    assert_output "[remote-update] FAIL: VALOR_TRUSTED_SIGNERS must name a readable allowed-signers file (got '$value': $problem)"
    VALOR_TRUSTED_SIGNERS="" VALOR_TRUSTED_GPG_KEYS=$value run_update
    assert_failure 2
    assert_output "[remote-update] FAIL: VALOR_TRUSTED_GPG_KEYS must name a readable file of OpenPGP public keys (got '$value': $problem)"
    VALOR_TRUSTED_SIGNERS=$value run_check
    assert_failure 2
  done
  assert [ ! -e "$MACHINE/data" ]
  assert_equal "$(head_of "$MACHINE")" "$before"
}

@test "an unreadable file: a bad setting, exit 2" {
  [ "$(id -u)" -ne 0 ] || skip "root reads every file"
  chmod 000 "$KEYS/allowed_signers"

  run_update

  assert_failure 2
  assert_output "[remote-update] FAIL: VALOR_TRUSTED_SIGNERS must name a readable allowed-signers file (got '$KEYS/allowed_signers': not readable)"
}

@test "a relative path is the checkout's, ~/ the home folder's" {
  sign_upstream_with alice
  upstream_commit notes.txt "a note" "Add notes"
  mkdir -p "$MACHINE/data" "$HOME/.config/valor"
  cp "$KEYS/allowed_signers" "$MACHINE/data/signers"
  cp "$KEYS/allowed_signers" "$HOME/.config/valor/signers"

  # shellcheck disable=SC2088 # the script expands it, as .env leaves it
  VALOR_TRUSTED_SIGNERS="~/.config/valor/signers" run_check
  assert_success
  assert_line --partial "is signed by alice@example.com, a trusted key."

  cd "$BATS_TEST_TMPDIR"
  VALOR_TRUSTED_SIGNERS=data/signers run_update
  assert_success
  assert_line --partial "Signed by alice@example.com."
}

@test "from .env: an untrusted tip is refused as with the environment's; a bad path names .env; the environment wins" {
  sign_upstream_with mallory
  upstream_commit notes.txt "a note" "Add notes"
  unset VALOR_TRUSTED_SIGNERS
  printf '# who may ship code\nexport VALOR_TRUSTED_SIGNERS="%s" # alice only\n' "$KEYS/allowed_signers" > "$MACHINE/.env"
  local before
  before="$(head_of "$MACHINE")"

  run_update
  assert_failure 1
  assert_line --partial "is not signed by a trusted key (signed with SSH key $(ssh_fingerprint mallory), which is not a trusted key); nothing was changed"
  assert_equal "$(head_of "$MACHINE")" "$before"

  printf 'VALOR_TRUSTED_SIGNERS=no-such-file\n' > "$MACHINE/.env"
  run_check
  assert_failure 2
  assert_output "[remote-update] FAIL: VALOR_TRUSTED_SIGNERS must name a readable allowed-signers file (got 'no-such-file' in .env: no such file)"

  VALOR_TRUSTED_SIGNERS="" run_update
  assert_success
  assert_equal "$(head_of "$MACHINE")" "$(head_of "$UPSTREAM")"
}

@test "the tool that checks signatures missing from PATH: a bad setting, exit 2" {
  rm "$SYSTEM_BIN/ssh-keygen" "$SYSTEM_BIN/gpg"

  run_update
  assert_failure 2
  assert_output "[remote-update] FAIL: VALOR_TRUSTED_SIGNERS is set, but ssh-keygen, which checks SSH signatures, is not on PATH ($SCRIPT_PATH)"

  VALOR_TRUSTED_SIGNERS="" VALOR_TRUSTED_GPG_KEYS="$KEYS/allowed_signers" run_update
  assert_failure 2
  assert_output "[remote-update] FAIL: VALOR_TRUSTED_GPG_KEYS is set, but gpg, which checks GPG signatures (GnuPG), is not on PATH ($SCRIPT_PATH)"
}

@test "unset: no signature is asked about, unsigned commits update as before" {
  unset VALOR_TRUSTED_SIGNERS
  make_stub ssh-keygen
  sign_upstream_with alice
  upstream_commit notes.txt "a note" "Add notes"

  run_update

  assert_success
  refute_output --partial "Verified"
  assert_line "[remote-update] Update complete. 1 commit(s) pulled, restart queued."
  assert_stub_log_empty
}

@test "set, and nothing new: nothing is verified" {
  make_stub ssh-keygen

  run_update

  assert_up_to_date_output
  assert_stub_log_empty
}
