#!/usr/bin/env bats
# A dirty working tree: local changes survive every update, and the script
# never pops a stash entry it did not create.

load test_helper

setup() {
  setup_repos
}

@test "tracked edits: warned, listed, stashed, pulled and restored" {
  upstream_commit notes.txt "a note" "Add notes"
  echo "local edit" >> "$MACHINE/README.md"

  run_update

  assert_success
  assert_line "[remote-update] WARN: Dirty working tree detected."
  assert_line "[remote-update] Files:  M README.md"
  assert_line "[remote-update] Attempting git stash before pull..."
  assert_line "[remote-update] Restoring stashed changes..."
  assert_line "[remote-update] Pulled 1 commit(s):"
  assert_equal "$(tail -n 1 "$MACHINE/README.md")" "local edit"
  assert_equal "$(head_of "$MACHINE")" "$(head_of "$UPSTREAM")"
  assert_equal "$(stash_count)" 0
}

@test "more than five changed files: the first five are listed, each line prefixed" {
  upstream_commit notes.txt "a note" "Add notes"
  local n
  for n in 1 2 3 4 5 6 7; do
    echo "$n" > "$UPSTREAM/f$n.txt"
  done
  git -C "$UPSTREAM" add -A && git -C "$UPSTREAM" commit -q -m "Seven files" && git -C "$UPSTREAM" push -q
  git -C "$MACHINE" pull -q
  upstream_commit notes.txt "another note" "More notes"
  for n in 1 2 3 4 5 6 7; do
    echo "edited" >> "$MACHINE/f$n.txt"
  done

  run_update

  assert_success
  assert_line "[remote-update] Files:  M f1.txt"
  assert_line "[remote-update]  M f5.txt"
  refute_line "[remote-update]  M f6.txt"
  assert_every_line_prefixed
  assert_equal "$(tail -n 1 "$MACHINE/f7.txt")" "edited"
}

@test "untracked files only: nothing stashed, an older unrelated stash is left alone" {
  echo "someone's work" >> "$MACHINE/README.md"
  git -C "$MACHINE" stash push -q -m "someone else's stash"
  local theirs
  theirs=$(head_of "$MACHINE" refs/stash)
  echo "scratch" > "$MACHINE/scratch.txt"
  upstream_commit notes.txt "a note" "Add notes"

  run_update

  assert_success
  refute_line --partial "Dirty working tree"
  refute_line --partial "Restoring"
  assert_equal "$(cat "$MACHINE/scratch.txt")" "scratch"
  assert_equal "$(stash_count)" 1
  assert_equal "$(head_of "$MACHINE" refs/stash)" "$theirs"
  assert_equal "$(git -C "$MACHINE" status --porcelain --untracked-files=no)" ""
}

@test "tracked edits with an older stash present: only this run's entry is popped" {
  echo "someone's work" >> "$MACHINE/README.md"
  git -C "$MACHINE" stash push -q -m "someone else's stash"
  local theirs
  theirs=$(head_of "$MACHINE" refs/stash)
  echo "my edit" > "$MACHINE/package.json"
  echo "scratch" > "$MACHINE/scratch.txt"
  upstream_commit notes.txt "a note" "Add notes"

  run_update

  assert_success
  assert_equal "$(cat "$MACHINE/package.json")" "my edit"
  assert_equal "$(tail -n 1 "$MACHINE/README.md")" "line two"
  assert_equal "$(cat "$MACHINE/scratch.txt")" "scratch"
  assert_equal "$(stash_count)" 1
  assert_equal "$(head_of "$MACHINE" refs/stash)" "$theirs"
}

@test "conflicting pop: tree back at the pulled commit, changes kept in a named entry, exit 0" {
  printf 'line one\nmachine edit\n' > "$MACHINE/README.md"
  printf 'line one\nupstream edit\n' > "$UPSTREAM/README.md"
  git -C "$UPSTREAM" commit -q -am "Edit README upstream"
  git -C "$UPSTREAM" push -q

  run_update

  assert_success
  assert_line --regexp '^\[remote-update\] WARN: stash pop conflict, changes remain in git stash list: stash@\{0\} \(On main: remote-update auto-stash [0-9]{8}-[0-9]{6}\)$'
  assert_equal "${lines[${#lines[@]} - 2]}" "[remote-update] Update complete. 1 commit(s) pulled, restart queued. Local edits conflicted: kept in stash@{0}."
  assert_last_line "[remote-update] HEAD: $(short_sha "$UPSTREAM") — Edit README upstream"
  assert_every_line_prefixed
  assert_last_update outcome updated-with-conflict
  assert_last_update stash 'stash@{0}'
  assert_last_update exit 0
  assert_last_update summary "Update complete. 1 commit(s) pulled, restart queued. Local edits conflicted: kept in stash@{0}."
  assert_equal "$(head_of "$MACHINE")" "$(head_of "$UPSTREAM")"
  assert_equal "$(cat "$MACHINE/README.md")" "$(printf 'line one\nupstream edit')"
  run grep -rl '^<<<<<<<' "$MACHINE" --exclude-dir=.git
  assert_failure
  assert_equal "$(git -C "$MACHINE" status --porcelain)" ""
  assert_equal "$(stash_count)" 1
  run git -C "$MACHINE" stash show -p 'stash@{0}'
  assert_output --partial "+machine edit"
  assert [ -e "$MACHINE/data/restart-requested" ]

  # As docs/update-script.md says to get them back, one file at a time.
  git -C "$MACHINE" checkout 'stash@{0}' -- README.md
  assert_equal "$(cat "$MACHINE/README.md")" "$(printf 'line one\nmachine edit')"
}

@test "a run without a conflict records no stash key" {
  upstream_commit notes.txt "a note" "Add notes"
  echo "local edit" >> "$MACHINE/README.md"

  run_update

  assert_success
  assert_last_update outcome updated
  run grep -c '^stash=' "$MACHINE/data/last-update"
  assert_output 0
}

@test "conflicting pop below someone else's stash: the WARN names this run's entry" {
  echo "theirs" > "$MACHINE/other.txt"
  git -C "$MACHINE" add other.txt
  git -C "$MACHINE" stash push -q -m "someone else's stash"
  printf 'line one\nmachine edit\n' > "$MACHINE/README.md"
  printf 'line one\nupstream edit\n' > "$UPSTREAM/README.md"
  git -C "$UPSTREAM" commit -q -am "Edit README upstream"
  git -C "$UPSTREAM" push -q

  run_update

  assert_success
  assert_line --regexp 'WARN: stash pop conflict, changes remain in git stash list: stash@\{0\} \(On main: remote-update auto-stash '
  assert_last_update stash 'stash@{0}'
  assert_equal "$(stash_count)" 2
  assert_equal "$(git -C "$MACHINE" log -1 --format=%s 'stash@{1}')" "On main: someone else's stash"
}

@test "a newly added file that conflicts on pop is kept in the stash, not left in the tree" {
  echo "machine version" > "$MACHINE/new.txt"
  git -C "$MACHINE" add new.txt
  upstream_commit new.txt "upstream version" "Add new.txt"

  run_update

  assert_success
  assert_line --partial "WARN: stash pop conflict"
  assert_equal "$(cat "$MACHINE/new.txt")" "upstream version"
  assert_equal "$(git -C "$MACHINE" status --porcelain)" ""
  run git -C "$MACHINE" stash show -p 'stash@{0}'
  assert_output --partial "+machine version"
}

@test "staged and unstaged edits come back as they were: staging kept" {
  upstream_commit notes.txt "a note" "Add notes"
  echo "staged" >> "$MACHINE/README.md"
  git -C "$MACHINE" add README.md
  echo "unstaged" >> "$MACHINE/README.md"

  run_update

  assert_success
  assert_equal "$(git -C "$MACHINE" status --porcelain --untracked-files=no)" "MM README.md"
  assert_equal "$(git -C "$MACHINE" show :README.md | tail -n 1)" "staged"
  assert_equal "$(tail -n 1 "$MACHINE/README.md")" "unstaged"
}

@test "untracked files in the way of new ones: FAIL listing them, nothing changed, edits kept" {
  upstream_commit new-a.txt "from upstream" "Add a"
  upstream_commit new-b.txt "from upstream" "Add b"
  echo "mine" > "$MACHINE/new-a.txt"
  echo "mine too" > "$MACHINE/new-b.txt"
  echo "local edit" >> "$MACHINE/README.md"
  local before
  before=$(head_of "$MACHINE")

  run_update

  assert_failure 1
  assert_line "[remote-update] Restoring stash..."
  assert_last_line "[remote-update] FAIL: Untracked files are in the way of the update: new-a.txt, new-b.txt. Move or remove them, then run again."
  assert_last_update summary "FAIL: Untracked files are in the way of the update: new-a.txt, new-b.txt. Move or remove them, then run again."
  refute_line --partial "branches diverged"
  assert_equal "$(head_of "$MACHINE")" "$before"
  assert_equal "$(cat "$MACHINE/new-a.txt")" "mine"
  assert_equal "$(tail -n 1 "$MACHINE/README.md")" "local edit"
  assert_equal "$(stash_count)" 0
  assert [ ! -e "$MACHINE/data/update-in-progress" ]
}
