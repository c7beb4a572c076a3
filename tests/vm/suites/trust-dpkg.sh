# The policy of one line: `exec: {default: deny, allow: [{trust: dpkg}]}`,
# against the guest's real dpkg records, on both backends: the image's
# software runs, and nothing else runs, whatever the workload does first:
# as root, in a user namespace, or racing renames of its own program over a
# trusted file against exec of it. Each refusal is EPERM and one event.
# The database is the guest's own (the host's Debian root over 9p), cut to
# the packages of the programs the tests run: hashing all of /usr (GBs)
# under TCG would take minutes; tests/host/trust-dpkg.sh checks the whole
# database against `dpkg --verify`. The scenarios trust-dpkg.scn and
# trust-snapshot.scn pin each route on a package of their own.

# vm-kernels: 6.12
# vm-timeout: 600

W=/tmp/bulwark-trust
POLICY=$W/image.yaml
DB=$W/dpkg
PROGRAMS="/bin/sh ls cp mv ln rm cat env true false grep jq unshare tac yes nproc"

# The packages of the programs and of the libraries they load, found in one
# pass over dpkg's file lists (merged-/usr systems list /bin/x for /usr/bin/x).
make_database() {
	local f p
	mkdir -p "$DB/info" && cp /var/lib/dpkg/status "$DB/"
	cp /var/lib/dpkg/diversions "$DB/" 2> /dev/null || true
	for f in $PROGRAMS; do
		f=$(readlink -f "$(type -P "$f")")
		echo "$f"
		ldd "$f" | grep -o '/[^ ]*' | xargs -r readlink -f
	done | sort -u | sed 'p; s|^/usr/|/|' > "$W/files"
	grep -lxF -f "$W/files" /var/lib/dpkg/info/*.list | sed 's|.*/||; s|\.list$||' > "$W/packages"
	[ -s "$W/packages" ] || fail "no package owns $PROGRAMS" || return 1
	while read -r p; do
		for f in /var/lib/dpkg/info/"$p".list /var/lib/dpkg/info/"$p".md5sums; do
			[ -e "$f" ] && ln -s "$f" "$DB/info/"
		done
	done < "$W/packages"
	echo "# trusting what dpkg installed for: $(tr '\n' ' ' < "$W/packages")"
}

trust_setup() {
	rm -rf "$W" && mkdir -p "$W"
	make_database || return 1
	export DPKG_ADMINDIR=$DB
	cat > "$POLICY" <<-POLICY
		apiVersion: bulwark/v1
		kind: Policy
		metadata: {name: image}
		spec:
		  selector: {host: true}
		  exec: {default: deny, allow: [{trust: dpkg}]}
	POLICY
}

# confined BACKEND SCRIPT: runs SCRIPT with sh under the one-line policy.
confined() {
	"$BULWARK" exec --backend "$1" --policy "$POLICY" --events-to "$W/events" --json \
		-- /bin/sh -c "$2"
}

events_of() { # JQ-FILTER: how many events of the last session match
	jq -c "select($1)" "$W/events" | grep -c . || true
}

test_check_verifies_the_packages() {
	local start rules
	trust_setup || return 1
	start=$(date +%s)
	expect_rc 0 "$BULWARK" check "$POLICY" || return 1
	rules=$(sed -n 's/^ok: 1 policy, \([0-9]*\) rules.*/\1/p' <<< "$OUT")
	[ "${rules:-0}" -gt 20 ] || fail "expected the packages' programs and libraries, got: $OUT" ||
		return 1
	echo "# $rules files trusted, verified in $(($(date +%s) - start)) s (cold digest cache)"
	start=$(date +%s)
	expect_rc 0 "$BULWARK" check "$POLICY" || return 1
	echo "# verified again in $(($(date +%s) - start)) s (warm)"
}

image_software_runs() { # BACKEND
	trust_setup || return 1
	expect_rc 0 confined "$1" 'ls / > /dev/null && jq --version > /dev/null &&
		grep -q . /etc/hostname && env true' || return 1
	[ "$(events_of 'true')" = 0 ] || fail "the image's own software was denied: $(cat "$W/events")"
}

nothing_else_runs() { # BACKEND
	local n
	trust_setup || return 1
	# As root: a copy, a file renamed over a trusted one, a trusted file changed in place.
	expect_rc 0 confined "$1" '
		cp /usr/bin/true '"$W"'/copy; '"$W"'/copy; echo "copy $?"
		cp /usr/bin/false /usr/bin/tac.new && mv /usr/bin/tac.new /usr/bin/tac; /usr/bin/tac < /dev/null; echo "renamed $?"
		printf "\0" >> /usr/bin/yes; /usr/bin/yes --version > /dev/null; echo "changed $?"
		unshare -r sh -c "'"$W"'/copy"; echo "userns $?"' || return 1
	# A user namespace would rename what the policy decides on: refused before anything runs in it.
	expect_match '^copy 126$' && expect_match '^renamed 126$' && expect_match '^changed 126$' &&
		expect_match '^userns 1$' || return 1
	n=$(events_of ".operation == \"exec\" and .verdict == \"deny\"")
	[ "$n" = 3 ] || fail "expected 3 denied execs, got $n: $(cat "$W/events")" || return 1
	[ "$(events_of '.operation == "userns" and .verdict == "deny"')" = 1 ] &&
		[ "$(events_of ".object == \"$W/copy\"")" = 1 ] &&
		[ "$(events_of '.object == "/usr/bin/tac"')" = 1 ] &&
		[ "$(events_of '.object == "/usr/bin/yes"')" = 1 ] ||
		fail "denials name the wrong files: $(cat "$W/events")"
}

# A loop renames a copy of false over a trusted file and renames the
# trusted file back, while another execs the name: every run is the trusted
# file or EPERM, never false. (Renames and links change a file's ctime, so
# the trusted file too is denied once it has been moved: that is fail-closed.)
renames_race_exec() { # BACKEND
	trust_setup || return 1
	expect_rc 0 confined "$1" '
		cp /usr/bin/false /usr/bin/.bw-evil || exit 9
		( i=0; while [ $i -lt 100 ]; do
			mv -f /usr/bin/nproc /usr/bin/.bw-trusted
			ln -f /usr/bin/.bw-evil /usr/bin/nproc
			mv -f /usr/bin/.bw-trusted /usr/bin/nproc
			i=$((i + 1)); done ) &
		ok=0 denied=0 evil=0 i=0
		while [ $i -lt 100 ]; do
			/usr/bin/nproc > /dev/null 2>&1; rc=$?
			case $rc in 0) ok=$((ok + 1)) ;; 126) denied=$((denied + 1)) ;; 127) ;; *) evil=$((evil + 1)) ;; esac
			i=$((i + 1))
		done
		wait
		rm -f /usr/bin/.bw-evil
		echo "ok $ok denied $denied evil $evil"' || return 1
	expect_match ' evil 0$' || return 1
	echo "# race: $(tail -1 <<< "$OUT")"
	# The event names the file as its dentry is named when decided: a rename
	# racing the exec can give /usr/bin/.bw-trusted, or "(deleted)".
	[ "$(events_of '.operation == "exec" and .verdict == "deny"')" = \
		"$(sed -n 's/.* denied \([0-9]*\) .*/\1/p' <<< "$OUT")" ] ||
		fail "not one event per denied run: $OUT $(cat "$W/events")"
}

test_bpf_the_image_software_runs() {
	image_software_runs bpf
}

test_bpf_nothing_else_runs() {
	nothing_else_runs bpf
}

test_bpf_renames_racing_exec_never_run_another_file() {
	renames_race_exec bpf
}

test_kmod_the_image_software_runs() {
	expect_rc 0 "$BULWARK" unload || return 1
	expect_rc 0 insmod "$KMOD" || return 1
	image_software_runs kmod
}

test_kmod_nothing_else_runs() {
	nothing_else_runs kmod
}

test_kmod_renames_racing_exec_never_run_another_file() {
	renames_race_exec kmod
	expect_rc 0 rmmod bulwark
}
