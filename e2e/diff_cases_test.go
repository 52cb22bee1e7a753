package e2e

// Hand-written edge-case sequences for the differential harness. Nothing
// here states an expected reply: redis-server answers every command and the
// server under test must answer the same (diff_rules_test.go says where
// "the same" is relaxed, and why).
//
// Each line is one command, split like redis-cli does ("double quotes" with
// \xHH escapes, 'single quotes'). Placeholders are replaced when the line is
// sent, with the same value for both servers:
//
//	{now+N}   unix time in seconds plus N (N may be negative)
//	{nowms+N} unix time in milliseconds plus N
//
// Lines starting with @ are harness steps:
//
//	@wait MS                       wait MS milliseconds (lets a short expiry pass)
//	@dumprestore SRC DST ARGS...   DUMP SRC on each side, then RESTORE DST
//	                               with that side's own payload: RESTORE DST ARGS[0]
//	                               <payload> ARGS[1:]... (DUMP payloads differ by design)
//
// Every sequence starts with FLUSHALL in database 0 and runs twice: in RESP2
// and after HELLO 3.

type sequence struct {
	name string
	cmds []string
	// needsPass marks sequences that run against servers started with
	// requirepass (see authPassword).
	needsPass bool
	// requires lists commands outside this harness's command set that the
	// sequence uses to build its keys (e.g. LPUSH to make a key of another
	// type for WRONGTYPE errors). Each is run on the target first (with
	// well-formed arguments, on a scratch key); when it is answered with
	// "unknown command", the sequence is skipped with a log line.
	requires [][]string
}

// authPassword is the requirepass of the servers that run needsPass
// sequences.
const authPassword = "s3cret"

var connectionSequences = []sequence{
	{name: "ping-echo", cmds: []string{
		`PING`, `PING hello`, `PING ""`, `PING "\x00\xff\r\n"`, `PING a b`,
		`ping`, `PiNg x`,
		`ECHO`, `ECHO hello`, `ECHO ""`, `ECHO "bin\x00ary\r\n"`, `ECHO a b`,
	}},
	{name: "unknown-and-arity", cmds: []string{
		`NOSUCHCOMMAND`, `NOSUCHCOMMAND a b c`, `nosuch "with space" x`,
		`GET`, `SET k`, `"" a`,
	}},
	{name: "select", cmds: []string{
		`SELECT 0`, `SET k db0`, `SELECT 1`, `GET k`, `SET k db1`, `SELECT 15`, `SET k db15`,
		`SELECT 16`, `SELECT -1`, `SELECT abc`, `SELECT 1.5`, `SELECT`, `SELECT 0 1`,
		`SELECT 99999999999999999999`, `SELECT " 1"`, `SELECT +1`, `SELECT 01`,
		`GET k`, `SELECT 0`, `GET k`, `SELECT 1`, `GET k`, `DBSIZE`, `SELECT 0`,
	}},
	{name: "select-every-db", cmds: []string{
		`SELECT 0`, `SET k 0`, `SELECT 1`, `SET k 1`, `SELECT 2`, `SET k 2`, `SELECT 3`, `SET k 3`,
		`SELECT 4`, `SET k 4`, `SELECT 5`, `SET k 5`, `SELECT 6`, `SET k 6`, `SELECT 7`, `SET k 7`,
		`SELECT 8`, `SET k 8`, `SELECT 9`, `SET k 9`, `SELECT 10`, `SET k 10`, `SELECT 11`, `SET k 11`,
		`SELECT 12`, `SET k 12`, `SELECT 13`, `SET k 13`, `SELECT 14`, `SET k 14`, `SELECT 15`, `SET k 15`,
		`DBSIZE`, `SWAPDB 15 3`, `GET k`, `SELECT 3`, `GET k`, `FLUSHDB`, `SELECT 15`, `DBSIZE`, `FLUSHALL`, `DBSIZE`,
		`INFO keyspace`, `SELECT 0`,
	}},
	{name: "swapdb", cmds: []string{
		`SET a 0`, `SET b 0`, `SELECT 1`, `SET a 1`, `SELECT 0`,
		`SWAPDB 0 1`, `GET a`, `GET b`, `SELECT 1`, `GET a`, `GET b`, `SELECT 0`,
		`SWAPDB 1 1`, `SWAPDB 0 16`, `SWAPDB 16 0`, `SWAPDB -1 0`, `SWAPDB a 1`,
		`SWAPDB 0`, `SWAPDB 0 1 2`, `SWAPDB`, `SWAPDB 0 15`, `DBSIZE`, `SWAPDB 15 0`, `DBSIZE`,
		`SET e v PX 100000`, `SWAPDB 0 2`, `SELECT 2`, `PTTL e`, `SELECT 0`,
	}},
	{name: "dbsize-flush", cmds: []string{
		`DBSIZE`, `SET a 1`, `SET b 2`, `DBSIZE`, `DBSIZE x`,
		`SELECT 1`, `SET c 3`, `DBSIZE`, `FLUSHDB`, `DBSIZE`, `SELECT 0`, `DBSIZE`,
		`FLUSHDB ASYNC`, `DBSIZE`, `SET a 1`, `FLUSHDB SYNC`, `DBSIZE`,
		`FLUSHDB foo`, `FLUSHDB ASYNC SYNC`, `FLUSHDB sync`,
		`SET a 1`, `SELECT 3`, `SET a 1`, `FLUSHALL`, `DBSIZE`, `SELECT 0`, `DBSIZE`,
		`SET a 1`, `FLUSHALL ASYNC`, `DBSIZE`, `SET a 1`, `FLUSHALL SYNC`, `DBSIZE`,
		`FLUSHALL bad`, `FLUSHALL SYNC ASYNC`, `flushall async`,
	}},
	{name: "time-lastsave-role", cmds: []string{
		`TIME`, `TIME x`, `LASTSAVE`, `LASTSAVE x`, `ROLE`, `ROLE x`,
	}},
	{name: "client", cmds: []string{
		`CLIENT ID`, `CLIENT ID x`, `CLIENT GETNAME`, `CLIENT SETNAME foo`, `CLIENT GETNAME`,
		`CLIENT SETNAME "a b"`, `CLIENT SETNAME "a\nb"`, `CLIENT SETNAME "\xff"`, `CLIENT GETNAME`,
		`CLIENT SETNAME ""`, `CLIENT GETNAME`, `CLIENT SETNAME`, `CLIENT SETNAME a b`, `CLIENT GETNAME x`,
		`CLIENT SETINFO lib-name mylib`, `CLIENT SETINFO lib-ver 1.0`, `CLIENT SETINFO bad x`,
		`CLIENT NO-EVICT on`, `CLIENT NO-EVICT off`, `CLIENT NO-EVICT maybe`, `CLIENT NO-EVICT`,
		`CLIENT NO-TOUCH on`, `CLIENT NO-TOUCH off`,
		`CLIENT LIST`, `CLIENT INFO`, `CLIENT LIST TYPE normal`, `CLIENT LIST TYPE bogus`,
		`CLIENT NOSUCH`, `CLIENT`, `client id`,
	}},
	{name: "client-reply", cmds: []string{
		`SET a 1`, `CLIENT REPLY SKIP`, `SET a 2`, `GET a`,
		`CLIENT REPLY OFF`, `SET a 3`, `GET a`, `INCR a`, `NOSUCH`, `GET`, `CLIENT REPLY ON`, `GET a`,
		`CLIENT REPLY maybe`, `CLIENT REPLY`, `CLIENT REPLY SKIP`, `GET`, `GET a`,
		`CLIENT REPLY OFF`, `RESET`, `GET a`,
	}},
	{name: "config", cmds: []string{
		`CONFIG GET maxmemory`, `CONFIG GET maxmemory*`, `CONFIG GET *policy*`, `CONFIG GET MAXMEMORY`,
		`CONFIG GET nonexistent`, `CONFIG GET`, `CONFIG GET databases`, `CONFIG GET save appendonly`,
		`CONFIG GET appendfsync`, `CONFIG GET timeout`, `CONFIG GET hz`, `CONFIG GET requirepass`,
		`CONFIG GET proto-max-bulk-len`, `CONFIG GET port`, `CONFIG GET dir`,
		`CONFIG GET bind`, `CONFIG GET ?z`, `CONFIG GET [h]z`, `CONFIG GET lfu-*`, `CONFIG GET *max-*-entries`,
		`CONFIG SET hz 20`, `CONFIG GET hz`, `CONFIG SET hz abc`, `CONFIG SET hz 10`,
		`CONFIG SET nonexistent 1`, `CONFIG SET databases 8`, `CONFIG SET`, `CONFIG SET hz`, `CONFIG SET "" 5`,
		`CONFIG GET ""`, `CONFIG SET hz 10 "" 5`,
		`CONFIG SET maxmemory-policy allkeys-lru`, `CONFIG GET maxmemory-policy`,
		`CONFIG SET maxmemory-policy badpolicy`, `CONFIG SET maxmemory-policy noeviction`,
		`CONFIG SET hz 20 timeout 0`, `CONFIG SET hz 20 hz 30`, `CONFIG SET hz 11 nonexistent 1`, `CONFIG GET hz`,
		`CONFIG SET hz 10`, `CONFIG SET maxmemory 100mb`, `CONFIG GET maxmemory`, `CONFIG SET maxmemory 0`,
		`CONFIG SET appendfsync always`, `CONFIG GET appendfsync`, `CONFIG SET appendfsync sometimes`,
		`CONFIG SET appendfsync everysec`, `CONFIG SET timeout -1`, `CONFIG SET timeout 0`,
		`CONFIG RESETSTAT`, `CONFIG RESETSTAT x`, `CONFIG NOSUCH`, `CONFIG`,
	}},
	{name: "debug", cmds: []string{
		`DEBUG DIGEST`, `SET a 1`, `SET b hello`, `DEBUG DIGEST`, `DEBUG DIGEST-VALUE a b missing`,
		`DEBUG DIGEST-VALUE`, `SET e v EX 1000`, `DEBUG DIGEST`,
		`DEBUG SLEEP 0`, `DEBUG OBJECT a`, `DEBUG OBJECT b`, `DEBUG OBJECT missing`, `DEBUG OBJECT`,
		`SET long "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"`,
		`DEBUG OBJECT long`, `APPEND b x`, `DEBUG OBJECT b`,
		`DEBUG SET-ACTIVE-EXPIRE 0`, `SET s v PX 5`, `@wait 30`, `DBSIZE`, `GET s`, `DBSIZE`,
		`DEBUG SET-ACTIVE-EXPIRE 1`, `DEBUG NOSUCHSUB`,
	}},
	{name: "memory-usage", cmds: []string{
		`SET a 1`, `SET b hello`, `MEMORY USAGE a`, `MEMORY USAGE b`, `MEMORY USAGE missing`,
		`MEMORY USAGE a SAMPLES 5`, `MEMORY USAGE a SAMPLES x`, `MEMORY USAGE a SAMPLES`, `MEMORY USAGE a FOO 1`,
		`MEMORY USAGE`, `MEMORY NOSUCH`,
	}},
	{name: "object", cmds: []string{
		`SET i 12345`, `SET big 123456789012345678901`, `SET neg -5`, `SET s hello`, `SET z 0`, `SET sp " 1"`,
		`SET e ""`, `SET s44 "12345678901234567890123456789012345678901234"`,
		`SET s45 "123456789012345678901234567890123456789012345"`, `SET f 1.5`, `SET i20 "9223372036854775807"`,
		`SET i21 "9223372036854775808"`, `SET lead 012`, `SET big10k 10000`, `SET n9999 9999`,
		`OBJECT ENCODING i`, `OBJECT ENCODING big`, `OBJECT ENCODING neg`, `OBJECT ENCODING s`, `OBJECT ENCODING z`,
		`OBJECT ENCODING sp`, `OBJECT ENCODING e`, `OBJECT ENCODING s44`, `OBJECT ENCODING s45`, `OBJECT ENCODING f`,
		`OBJECT ENCODING i20`, `OBJECT ENCODING i21`, `OBJECT ENCODING lead`, `OBJECT ENCODING missing`,
		`OBJECT REFCOUNT i`, `OBJECT REFCOUNT z`, `OBJECT REFCOUNT n9999`, `OBJECT REFCOUNT big10k`, `OBJECT REFCOUNT s`,
		`OBJECT REFCOUNT missing`, `OBJECT IDLETIME s`, `OBJECT IDLETIME missing`, `OBJECT FREQ s`,
		`APPEND s x`, `OBJECT ENCODING s`, `INCR i`, `OBJECT ENCODING i`, `SETRANGE z 0 1`, `OBJECT ENCODING z`,
		`INCRBYFLOAT f 1`, `OBJECT ENCODING f`, `APPEND e 5`, `OBJECT ENCODING e`,
		`CONFIG SET maxmemory-policy allkeys-lfu`, `OBJECT FREQ s`, `OBJECT FREQ missing`, `OBJECT IDLETIME s`,
		`CONFIG SET maxmemory-policy allkeys-lru`, `SET r 5`, `OBJECT REFCOUNT r`, `INCR r`, `OBJECT REFCOUNT r`,
		`OBJECT REFCOUNT i`, `MSET r2 7 r3 8`, `OBJECT REFCOUNT r2`, `CONFIG SET maxmemory-policy volatile-lfu`,
		`SET r4 9`, `OBJECT REFCOUNT r4`, `CONFIG SET maxmemory-policy noeviction`, `SET r5 9`, `OBJECT REFCOUNT r5`,
		`OBJECT ENCODING`, `OBJECT NOSUCH s`, `OBJECT ENCODING a b`, `OBJECT`,
	}},
	{name: "hello", cmds: []string{
		`HELLO`, `HELLO 2`, `HELLO 3`, `PING`, `HELLO 2`, `HELLO 4`, `HELLO 1`, `HELLO abc`, `HELLO -1`,
		`HELLO 3 SETNAME conn1`, `CLIENT GETNAME`, `HELLO 2 SETNAME "a b"`, `HELLO 2 SETNAME`,
		`HELLO 3 AUTH default whatever`, `HELLO 2 AUTH default`, `HELLO 2 AUTH nouser pw`, `HELLO 3 FOO`,
		`HELLO 2 SETNAME x AUTH default pw`,
	}},
	{name: "auth-without-password", cmds: []string{
		`AUTH x`, `AUTH default x`, `AUTH`, `AUTH a b c`,
	}},
	{name: "reset", cmds: []string{
		`SELECT 3`, `SET a 1`, `CLIENT SETNAME foo`, `HELLO 3`, `RESET`, `CLIENT GETNAME`, `GET a`, `DBSIZE`,
		`RESET x`, `SELECT 3`, `GET a`, `SELECT 0`,
	}},
	{name: "auth-with-password", needsPass: true, cmds: []string{
		`PING`, `GET a`, `SET a 1`, `SELECT 1`, `HELLO 2`, `CLIENT ID`, `AUTH wrong`, `AUTH default wrong`,
		`AUTH nouser ` + authPassword, `AUTH`, `AUTH a b c`,
		`AUTH ` + authPassword, `SET a 1`, `GET a`, `AUTH default ` + authPassword, `AUTH wrong`, `GET a`,
		`RESET`, `GET a`, `HELLO 3 AUTH default wrong`, `GET a`, `HELLO 3 AUTH default ` + authPassword, `GET a`,
		`RESET`, `HELLO 3 AUTH default ` + authPassword + ` SETNAME n1`, `CLIENT GETNAME`, `RESET`, `HELLO`,
		`AUTH default ` + authPassword,
	}},
}

var keySequences = []sequence{
	{name: "del-unlink-exists-type-touch", cmds: []string{
		`DEL missing`, `SET a 1`, `SET b 2`, `SET c 3`, `DEL a missing b`, `DEL`, `EXISTS a b c c c missing`,
		`EXISTS`, `UNLINK c a`, `UNLINK`, `SET a 1`, `TYPE a`, `TYPE missing`, `TYPE`, `TYPE a b`,
		`TOUCH a missing a`, `TOUCH`, `DEL a a`, `SET "" empty`, `EXISTS ""`, `TYPE ""`, `DEL ""`,
		`SET "bin\x00key" v`, `EXISTS "bin\x00key"`, `DEL "bin\x00key"`,
	}},
	{name: "expire-family", cmds: []string{
		`SET a v`, `EXPIRE a 100000`, `TTL a`, `PTTL a`, `EXPIRE a 200000 NX`, `EXPIRE a 200000 XX`, `TTL a`,
		`EXPIRE a 300000 GT`, `TTL a`, `EXPIRE a 100000 GT`, `EXPIRE a 50000 LT`, `TTL a`, `EXPIRE a 90000 lt`,
		`EXPIRE a 1 NX XX`, `EXPIRE a 1 GT LT`, `EXPIRE a 1 NX GT`, `EXPIRE a 1 NX LT`, `EXPIRE a 1 XX GT`,
		`EXPIRE a 1 FOO`, `EXPIRE a abc`, `EXPIRE a 1.5`, `EXPIRE a ""`, `EXPIRE a`, `EXPIRE`,
		`EXPIRE a 9223372036854775807`, `EXPIRE a 9223372036854775`, `EXPIRE a 9223372036854776`,
		`EXPIRE a -9223372036854775808`, `TTL a`, `EXPIRE missing 10`, `EXPIRE missing 10 NX`,
		`SET p v`, `EXPIRE p 100 XX`, `EXPIRE p 100 GT`, `TTL p`, `EXPIRE p 100 LT`, `TTL p`,
		`SET p v`, `EXPIRE p 100000 NX`, `EXPIRE p 100000 NX`, `TTL p`,
		`SET q v`, `EXPIRE q -1`, `EXISTS q`, `SET q v`, `EXPIRE q 0`, `EXISTS q`,
		`SET q v`, `PEXPIRE q 100000`, `PTTL q`, `PEXPIRE q 200000 GT`, `PEXPIRE q 100 LT`, `PTTL q`,
		`PEXPIRE q abc`, `PEXPIRE q 9223372036854775807`, `PEXPIRE q -9223372036854775807`, `EXISTS q`,
		`SET r v`, `EXPIREAT r {now+100000}`, `TTL r`, `EXPIRETIME r`, `PEXPIRETIME r`,
		`EXPIREAT r {now+200000} GT`, `EXPIREAT r {now+100} LT`, `TTL r`, `EXPIREAT r {now+100} NX`,
		`EXPIREAT r 1`, `EXISTS r`, `SET r v`, `EXPIREAT r 0`, `EXISTS r`, `SET r v`, `EXPIREAT r -100`, `EXISTS r`,
		`SET r v`, `EXPIREAT r 9223372036854775807`, `EXPIREAT r 9223372036854775`, `EXPIREAT r abc`,
		`PEXPIREAT r {nowms+100000000}`, `PTTL r`, `PEXPIRETIME r`, `EXPIRETIME r`, `PEXPIREAT r {nowms-1}`, `EXISTS r`,
		`SET r v`, `PEXPIREAT r 9223372036854775807`, `PEXPIREAT r {nowms+5000000} XX`, `PEXPIREAT r {nowms+9000000} GT`,
		`PEXPIRETIME r`, `PEXPIREAT r {nowms+5000000} NX`,
		`TTL missing`, `PTTL missing`, `EXPIRETIME missing`, `PEXPIRETIME missing`, `SET n v`, `TTL n`, `PTTL n`,
		`EXPIRETIME n`, `PEXPIRETIME n`, `TTL`, `TTL a b`, `PTTL`, `EXPIRETIME`, `PEXPIRETIME a b`,
	}},
	{name: "expired-keys-lazy", cmds: []string{
		`SET a 1 PX 5`, `SET b 10 PX 5`, `SET c hello PX 5`, `SET d x PX 5`, `SET e x PX 5`, `SET f x PX 5`,
		`SET g x PX 5`, `SET h x PX 5`, `SET i x PX 5`, `SET j 1 PX 5`, `SET k x PX 5`, `SET l x PX 5`,
		`@wait 30`,
		`GET a`, `INCR b`, `GET b`, `TTL b`, `APPEND c x`, `GET c`, `SET d y NX`, `GET d`, `SET e y XX`, `EXISTS e`,
		`STRLEN f`, `SETRANGE g 2 x`, `GET g`, `GETBIT h 1`, `SETBIT h 1 1`, `GET h`, `RENAME i z`, `COPY j z2`,
		`MOVE k 1`, `TYPE l`, `KEYS *`, `DBSIZE`, `RANDOMKEY`, `SCAN 0`,
		`SET m x PX 5`, `SET n x PX 5`, `SET o x PX 5`, `SET p x PX 5`, `SET q x PX 5`, `SET r x PX 5`, `@wait 30`,
		`GETDEL m`, `GETEX n PERSIST`, `GETSET o y`, `TTL o`, `PERSIST p`, `EXPIRE q 100`, `DUMP r`,
		`SET s x PX 5`, `SET t x PX 5`, `MSETNX s 1 t 1`, `@wait 30`, `MSETNX s 1 t 1`, `MGET s t`,
	}},
	{name: "persist", cmds: []string{
		`SET a v EX 1000`, `PERSIST a`, `TTL a`, `PERSIST a`, `PERSIST missing`, `PERSIST`, `PERSIST a b`,
	}},
	{name: "rename", cmds: []string{
		`SET a 1`, `EXPIRE a 100000`, `RENAME a b`, `GET a`, `GET b`, `TTL b`, `RENAME missing x`, `RENAME b b`,
		`RENAME missing missing`, `SET c 3`, `RENAME b c`, `GET c`, `TTL c`, `RENAME`, `RENAME a`, `RENAME a b c`,
		`SET x 1`, `RENAMENX x c`, `RENAMENX x y`, `GET y`, `RENAMENX y y`, `RENAMENX missing z`, `RENAMENX x`,
		`SET "\x00" bin`, `RENAME "\x00" "\xff"`, `GET "\xff"`,
	}},
	{name: "copy", cmds: []string{
		`SET a 1`, `EXPIRE a 100000`, `COPY a b`, `GET b`, `TTL b`, `COPY a b`, `SET a 2`, `COPY a b REPLACE`, `GET b`,
		`TTL b`, `COPY a a`, `COPY a b DB 1`, `SELECT 1`, `GET b`, `SELECT 0`, `COPY a b DB 1`, `COPY a b DB 1 REPLACE`,
		`COPY a b DB 16`, `COPY a b DB -1`, `COPY a b DB abc`, `COPY a b DB`, `COPY a b FOO`, `COPY a b REPLACE REPLACE`,
		`COPY missing b`, `COPY a`, `COPY`, `COPY a a DB 0`, `COPY a a DB 1`, `COPY a b replace db 2`,
		`SET small 5`, `OBJECT REFCOUNT small`, `COPY small small2`, `OBJECT REFCOUNT small2`, `OBJECT ENCODING small2`,
		`COPY small small3 DB 3`, `SELECT 3`, `OBJECT REFCOUNT small3`, `SELECT 0`, `RENAME small2 small4`,
		`OBJECT REFCOUNT small4`, `SET raw "a long value that is not embstr encoded at all..."`, `COPY raw raw2`,
		`OBJECT ENCODING raw2`, `SET emb short`, `COPY emb emb2`, `OBJECT ENCODING emb2`,
	}},
	{name: "move", cmds: []string{
		`SET a 1`, `EXPIRE a 100000`, `MOVE a 1`, `EXISTS a`, `SELECT 1`, `GET a`, `TTL a`, `SELECT 0`,
		`SET a 2`, `MOVE a 1`, `GET a`, `MOVE a 0`, `MOVE a 16`, `MOVE a -1`, `MOVE a abc`, `MOVE missing 1`,
		`MOVE a`, `MOVE`, `MOVE a 1 2`,
	}},
	{name: "keys-scan-randomkey", cmds: []string{
		`RANDOMKEY`, `KEYS *`, `SCAN 0`, `MSET k1 a k2 b k3 c kx d other e "bin\x00" f "" g`,
		`KEYS *`, `KEYS k?`, `KEYS k[12]`, `KEYS k[^1]`, `KEYS *x*`, `KEYS ""`, `KEYS "\\*"`, `KEYS "bin\x00"`,
		`KEYS`, `KEYS a b`, `KEYS [`, `KEYS "k[1-2]"`, `KEYS "K*"`, `KEYS "*"`,
		`RANDOMKEY`, `RANDOMKEY x`, `SCAN 0`, `SCAN 0 MATCH k*`, `SCAN 0 COUNT 2`, `SCAN 0 COUNT 1 MATCH k?`,
		`SCAN 0 TYPE string`, `SCAN 0 TYPE hash`, `SCAN 0 TYPE nosuchtype`, `SCAN 0 COUNT 0`, `SCAN 0 COUNT -1`,
		`SCAN 0 COUNT abc`, `SCAN 0 MATCH`, `SCAN 0 FOO bar`, `SCAN abc`, `SCAN`, `SCAN 0 count 1000`,
		`SCAN 0 match * count 3 type string`, `SCAN 0 TYPE STRING`,
	}},
	{name: "scan-many", cmds: []string{
		`MSET a0 0 a1 1 a2 2 a3 3 a4 4 a5 5 a6 6 a7 7 a8 8 a9 9 b0 0 b1 1 b2 2 b3 3 b4 4 b5 5 b6 6 b7 7 b8 8 b9 9`,
		`MSET c0 0 c1 1 c2 2 c3 3 c4 4 c5 5 c6 6 c7 7 c8 8 c9 9 d0 0 d1 1 d2 2 d3 3 d4 4 d5 5 d6 6 d7 7 d8 8 d9 9`,
		`SCAN 0`, `SCAN 0 COUNT 1`, `SCAN 0 COUNT 7 MATCH a*`, `SCAN 0 MATCH *9`, `KEYS ?[0-3]`, `DBSIZE`,
	}},
	{name: "dump-restore", cmds: []string{
		`SET a hello`, `EXPIRE a 100000`, `DUMP missing`, `DUMP`, `DUMP a b`,
		`@dumprestore a b 0`, `GET b`, `TTL b`, `@dumprestore a b 0`, `@dumprestore a b 0 REPLACE`,
		`@dumprestore a c 100000`, `PTTL c`, `@dumprestore a d {nowms+100000000} ABSTTL`, `PEXPIRETIME d`,
		`@dumprestore a e {nowms-1000} ABSTTL`, `EXISTS e`, `@dumprestore a f -1`, `@dumprestore a f abc`,
		`@dumprestore a g 0 IDLETIME 1000`, `OBJECT IDLETIME g`, `@dumprestore a h 0 IDLETIME -1`,
		`@dumprestore a h 0 IDLETIME abc`, `@dumprestore a i 0 FREQ 5`, `@dumprestore a i 0 FREQ 256`,
		`@dumprestore a j 0 FREQ 5 IDLETIME 5`, `@dumprestore a k 0 FOO`, `@dumprestore a k 0 REPLACE REPLACE`,
		`@dumprestore a l 0 ABSTTL REPLACE`, `GET l`, `TTL l`,
		`SET n 12345`, `@dumprestore n n2 0`, `GET n2`, `OBJECT ENCODING n2`, `SET e ""`, `@dumprestore e e2 0`,
		`SET sm 5`, `@dumprestore sm sm2 0`, `OBJECT REFCOUNT sm2`, `OBJECT ENCODING sm2`, `SET emb short`,
		`@dumprestore emb emb2 0`, `OBJECT ENCODING emb2`, `SET raw "a long value that is not embstr encoded at all..."`,
		`@dumprestore raw raw2 0`, `OBJECT ENCODING raw2`, `SET neg -3`, `@dumprestore neg neg2 0`, `OBJECT REFCOUNT neg2`,
		`GET e2`, `SET bin "\x00\xff\r\n"`, `@dumprestore bin bin2 0`, `GET bin2`,
		`RESTORE x 0 garbage`, `RESTORE x 0 ""`, `RESTORE x abc garbage`, `RESTORE x -1 garbage`, `RESTORE x 0`,
		`RESTORE`, `RESTORE a 0 garbage`, `RESTORE a 0 garbage REPLACE`,
	}},
}

var stringSequences = []sequence{
	{name: "get-set", cmds: []string{
		`GET a`, `SET a 1`, `GET a`, `SET a ""`, `GET a`, `SET a "\x00\x01\xff\r\n"`, `GET a`, `GET`, `GET a b`,
		`SET a 1 NX`, `SET b 1 NX`, `SET c 1 XX`, `SET a 2 XX`, `GET a`, `SET a 1 NX XX`,
		`SET a 3 GET`, `SET missing 3 GET`, `GET missing`, `SET a 4 NX GET`, `SET new 4 NX GET`, `SET a 5 XX GET`,
		`SET nope 5 XX GET`, `EXISTS nope`,
		`SET e v EX 100000`, `TTL e`, `SET e v PX 100000000`, `PTTL e`, `SET e v EXAT {now+100000}`, `TTL e`,
		`SET e v PXAT {nowms+100000000}`, `PTTL e`, `SET e v2 KEEPTTL`, `PTTL e`, `SET e v3`, `TTL e`,
		`SET e v EX 100 PX 100`, `SET e v EX 100 KEEPTTL`, `SET e v PX 100 EXAT 100`, `SET e v EX`, `SET e v EX abc`,
		`SET e v EX 0`, `SET e v EX -1`, `SET e v PX 0`, `SET e v EXAT 0`, `SET e v PXAT -5`, `SET e v EX 1.5`,
		`SET e v EX 9223372036854775807`, `SET e v EX 9223372036854775`, `SET e v PX 9223372036854775807`,
		`SET e v EXAT 9223372036854775807`, `SET e v FOO`, `SET e v ex 100000 nx`, `SET e v px 100000 xx get`,
		`TTL e`, `SET e v KEEPTTL GET`, `SET e v GET GET`, `SET e v NX NX`, `SET e v EX 10 EX 20`,
		`SET`, `SET a`, `SET a b c`, `SET a b EX 100000 NX GET`,
	}},
	{name: "setnx-setex-psetex-getset", cmds: []string{
		`SETNX a 1`, `SETNX a 2`, `GET a`, `SETNX a`, `SETNX`, `SETEX b 100000 v`, `TTL b`, `SETEX b 0 v`,
		`SETEX b -1 v`, `SETEX b abc v`, `SETEX b 100000`, `SETEX b 9223372036854775807 v`, `PSETEX c 100000000 v`,
		`PTTL c`, `PSETEX c 0 v`, `PSETEX c abc v`, `PSETEX c -5 v`, `GETSET a 3`, `GETSET missing 3`,
		`GET missing`, `GETSET`, `GETSET a`, `SET t v EX 100000`, `GETSET t w`, `TTL t`,
	}},
	{name: "getex-getdel", cmds: []string{
		`SET a v`, `GETEX a`, `GETEX a EX 100000`, `TTL a`, `GETEX a PX 200000000`, `PTTL a`,
		`GETEX a EXAT {now+300000}`, `TTL a`, `GETEX a PXAT {nowms+400000000}`, `PTTL a`, `GETEX a PERSIST`, `TTL a`,
		`GETEX a EX 0`, `GETEX a EX -1`, `GETEX a EX abc`, `GETEX a EX 100 PX 100`, `GETEX a PERSIST EX 10`,
		`GETEX a FOO`, `GETEX a EX`, `GETEX missing`, `GETEX missing EX 10`, `GETEX`,
		`GETEX a EXAT 1`, `EXISTS a`, `SET a v`, `GETEX a PXAT {nowms-10}`, `EXISTS a`,
		`SET a v`, `GETEX a EX 9223372036854775807`, `GETEX a PX 9223372036854775807`,
		`GETDEL a`, `GETDEL a`, `GETDEL`, `GETDEL a b`, `SET b "\x00"`, `GETDEL b`,
	}},
	{name: "mget-mset-msetnx", cmds: []string{
		`MSET a 1 b 2 c 3`, `MGET a b c missing`, `MGET`, `MSET a`, `MSET a 1 b`, `MSET`, `MSET a 1 a 2`, `GET a`,
		`MSETNX a 1 x 2`, `GET x`, `MSETNX x 1 y 2`, `MGET x y`, `MSETNX x`, `MSETNX x 1 y`, `MSETNX z 1 z 2`, `GET z`,
		`SET e v EX 100000`, `MSET e w`, `TTL e`, `MGET a "" "\x00"`,
	}},
	{name: "append-strlen", cmds: []string{
		`APPEND a hello`, `APPEND a " world"`, `GET a`, `STRLEN a`, `STRLEN missing`, `APPEND a ""`, `APPEND b ""`,
		`EXISTS b`, `STRLEN b`, `SET n 123`, `APPEND n 4`, `GET n`, `STRLEN n`, `APPEND`, `APPEND a`, `STRLEN`,
		`STRLEN a b`, `APPEND a "\x00\xff"`, `STRLEN a`, `SET e v EX 100000`, `APPEND e x`, `TTL e`,
	}},
	{name: "getrange-setrange-substr", cmds: []string{
		`SET a "Hello World"`, `GETRANGE a 0 4`, `GETRANGE a -5 -1`, `GETRANGE a 0 -1`, `GETRANGE a 5 2`,
		`GETRANGE a 100 200`, `GETRANGE a -100 -50`, `GETRANGE a -100 2`, `GETRANGE a 3 100`, `GETRANGE a 0 0`,
		`GETRANGE a -1 -1`, `GETRANGE a 9223372036854775807 9223372036854775807`,
		`GETRANGE a -9223372036854775808 9223372036854775807`, `GETRANGE a abc 1`, `GETRANGE a 0`, `GETRANGE missing 0 -1`,
		`GETRANGE a 0 -1 x`, `SET e ""`, `GETRANGE e 0 -1`, `GETRANGE e 0 0`, `SET n 12345`, `GETRANGE n 1 2`,
		`SUBSTR a 0 4`, `SUBSTR a -3 -1`, `SUBSTR missing 0 1`, `SUBSTR a 0`,
		`SETRANGE a 6 Redis`, `GET a`, `SETRANGE a 20 x`, `GET a`, `STRLEN a`, `SETRANGE a 0 ""`, `SETRANGE b 0 ""`,
		`EXISTS b`, `SETRANGE b 5 ""`, `EXISTS b`, `SETRANGE b 3 x`, `GET b`, `SETRANGE b -1 x`, `SETRANGE b abc x`,
		`SETRANGE b 536870912 x`, `SETRANGE b 536870912 ""`, `SETRANGE b 9223372036854775807 x`,
		`SETRANGE n 0 9`, `GET n`, `OBJECT ENCODING n`, `SETRANGE`, `SETRANGE b 0`, `SETRANGE b 0 x y`,
		`SET e v EX 100000`, `SETRANGE e 1 x`, `TTL e`,
	}},
	{name: "incr-decr", cmds: []string{
		`INCR a`, `INCR a`, `DECR a`, `INCRBY a 10`, `DECRBY a 3`, `INCRBY a -20`, `DECRBY a -5`, `GET a`,
		`SET a 9223372036854775806`, `INCR a`, `INCR a`, `GET a`, `SET a -9223372036854775807`, `DECR a`, `DECR a`,
		`SET a 0`, `INCRBY a 9223372036854775807`, `INCRBY a 1`, `SET a 0`, `DECRBY a -9223372036854775808`,
		`DECRBY a 9223372036854775807`, `DECRBY a 9223372036854775808`, `INCRBY a 9223372036854775808`,
		`SET s hello`, `INCR s`, `SET s ""`, `INCR s`, `SET s " 1"`, `INCR s`, `SET s "1 "`, `INCR s`, `SET s 01`,
		`INCR s`, `SET s +1`, `INCR s`, `SET s -0`, `INCR s`, `SET s 1.0`, `INCR s`, `SET s 1e3`, `INCR s`,
		`SET s "\x001"`, `INCR s`, `INCRBY a abc`, `INCRBY a 1.5`, `INCRBY a ""`, `INCRBY a`, `INCR`, `INCR a b`,
		`DECRBY a`, `SET e 5 EX 100000`, `INCR e`, `TTL e`, `SET big 123456789012345678901`, `INCR big`,
		`INCRBY n -9223372036854775808`, `DECR n`, `SET z 9999`, `INCR z`, `OBJECT ENCODING z`,
	}},
	{name: "incrbyfloat", cmds: []string{
		`INCRBYFLOAT a 1.5`, `INCRBYFLOAT a 0.1`, `INCRBYFLOAT a -1.6`, `GET a`, `INCRBYFLOAT a 1e3`, `INCRBYFLOAT a 5.0e-1`,
		`SET a 10.50`, `INCRBYFLOAT a 0.1`, `INCRBYFLOAT a 3`, `SET a 3`, `INCRBYFLOAT a 1.1`, `SET a 5.0e3`,
		`INCRBYFLOAT a 2.0e2`, `SET a 1`, `INCRBYFLOAT a inf`, `INCRBYFLOAT a -inf`, `INCRBYFLOAT a nan`,
		`INCRBYFLOAT a abc`, `INCRBYFLOAT a ""`, `INCRBYFLOAT a " 1"`, `INCRBYFLOAT a 1e400`, `INCRBYFLOAT a 0x10`,
		`SET a 1.7976931348623157e308`, `INCRBYFLOAT a 1.7976931348623157e308`, `SET s hello`, `INCRBYFLOAT s 1`,
		`SET s " 1"`, `INCRBYFLOAT s 1`, `SET s 1e5`, `INCRBYFLOAT s 1`, `INCRBYFLOAT a`, `INCRBYFLOAT`,
		`SET p 0.1`, `INCRBYFLOAT p 0.2`, `SET p 1.23456789012345678`, `INCRBYFLOAT p 0`, `SET p 1e-20`,
		`INCRBYFLOAT p 1e-20`, `INCRBYFLOAT q 123456789012345678901234567890`, `INCRBYFLOAT q -0.0`,
		`SET p -0`, `INCRBYFLOAT p 0`, `SET e 1 EX 100000`, `INCRBYFLOAT e 1`, `TTL e`,
	}},
	{name: "lcs", cmds: []string{
		`MSET a ohmytext b mynewtext`, `LCS a b`, `LCS a b LEN`, `LCS a b IDX`, `LCS a b IDX MINMATCHLEN 4`,
		`LCS a b IDX WITHMATCHLEN`, `LCS a b IDX MINMATCHLEN 2 WITHMATCHLEN`, `LCS a b LEN IDX`, `LCS a missing`,
		`LCS missing missing2`, `LCS missing missing2 LEN`, `LCS a b FOO`, `LCS a b MINMATCHLEN`, `LCS a b MINMATCHLEN abc`,
		`LCS a b IDX MINMATCHLEN -1`, `LCS a`, `LCS`, `SET e ""`, `LCS a e`, `LCS e e IDX`, `LCS a a`,
		`SET x "\x00\x01\x02"`, `SET y "\x01\x02\x00"`, `LCS x y IDX WITHMATCHLEN`,
	}},
	{name: "setbit-getbit", cmds: []string{
		`SETBIT a 7 1`, `GET a`, `GETBIT a 7`, `GETBIT a 6`, `GETBIT a 100`, `SETBIT a 7 0`, `SETBIT a 7 0`,
		`SETBIT a 100 1`, `STRLEN a`, `SETBIT a 0 2`, `SETBIT a 0 -1`, `SETBIT a -1 1`, `SETBIT a abc 1`,
		`SETBIT a 8388607 1`, `STRLEN a`, `SETBIT a 4294967296 1`, `GETBIT a 4294967296`, `GETBIT a -1`, `GETBIT missing 0`,
		`SETBIT`, `SETBIT a 1`, `GETBIT a`, `SET n 12`, `SETBIT n 2 1`, `GET n`, `OBJECT ENCODING n`,
		`SET e v EX 100000`, `SETBIT e 1 1`, `TTL e`,
	}},
	{name: "bitcount-bitpos", cmds: []string{
		`SET a foobar`, `BITCOUNT a`, `BITCOUNT a 0 0`, `BITCOUNT a 1 1`, `BITCOUNT a 1 -2`, `BITCOUNT a -100 100`,
		`BITCOUNT a 5 1`, `BITCOUNT a 0 -1 BYTE`, `BITCOUNT a 5 30 BIT`, `BITCOUNT a 0 -1 bit`, `BITCOUNT a 0`,
		`BITCOUNT a 0 1 FOO`, `BITCOUNT a abc 1`, `BITCOUNT missing`, `BITCOUNT missing 0 1`, `BITCOUNT`,
		`BITCOUNT missing 0 1 FOO`, `BITCOUNT missing abc 1`, `BITCOUNT missing 0`, `BITCOUNT a 5 1 FOO`,
		`BITPOS missing 1 0 -1 FOO`, `BITPOS missing 0 abc`, `BITPOS missing 2`,
		`BITCOUNT a -9223372036854775808 9223372036854775807`, `BITCOUNT a 0 9223372036854775807 BIT`,
		`SET b "\xff\xf0\x00"`, `BITPOS b 0`, `BITPOS b 1`, `BITPOS b 0 0`, `BITPOS b 1 2`, `BITPOS b 0 2 -1`,
		`BITPOS b 1 1 1`, `BITPOS b 0 8 -1 BIT`, `BITPOS b 1 7 15 BIT`, `BITPOS b 1 -1 -1 BYTE`, `BITPOS b 2`,
		`BITPOS b 0 abc`, `BITPOS b 0 0 -1 FOO`, `BITPOS b`, `BITPOS missing 0`, `BITPOS missing 1`,
		`SET c "\xff\xff"`, `BITPOS c 0`, `BITPOS c 0 0 -1`, `BITPOS c 0 0`, `SET z "\x00\x00"`, `BITPOS z 1`,
		`BITPOS z 0`, `SET e ""`, `BITPOS e 0`, `BITPOS e 1`, `BITCOUNT e`, `BITPOS b 1 100 200`, `BITPOS b 0 5 2`,
	}},
	{name: "bitop", cmds: []string{
		`SET a "\xff\x0f"`, `SET b "\xf0"`, `BITOP AND d a b`, `GET d`, `BITOP OR d a b`, `GET d`, `BITOP XOR d a b`,
		`GET d`, `BITOP NOT d a`, `GET d`, `BITOP NOT d a b`, `BITOP and d a missing`, `GET d`,
		`BITOP OR d missing missing2`, `EXISTS d`, `BITOP FOO d a`, `BITOP AND d`, `BITOP`, `BITOP NOT d`,
		`SET e v EX 100000`, `BITOP OR e a`, `TTL e`, `BITOP XOR a a a`, `GET a`,
	}},
	{name: "bitfield", cmds: []string{
		`BITFIELD a SET u8 0 255`, `BITFIELD a GET u8 0`, `BITFIELD a GET i8 0`, `BITFIELD a INCRBY u8 0 10`,
		`BITFIELD a OVERFLOW SAT INCRBY u8 0 300`, `BITFIELD a OVERFLOW FAIL INCRBY u8 0 1`,
		`BITFIELD a OVERFLOW WRAP INCRBY i8 8 200`, `BITFIELD a SET i64 0 -1 GET u63 0 GET i64 0`,
		`BITFIELD a SET u64 0 1`, `BITFIELD a SET i65 0 1`, `BITFIELD a SET u0 0 1`, `BITFIELD a GET u8 -1`,
		`BITFIELD a GET u8 #1`, `BITFIELD a SET u8 #2 7 GET u8 16`, `BITFIELD a GET x8 0`, `BITFIELD a GET u8`,
		`BITFIELD a FOO`, `BITFIELD a OVERFLOW BAD GET u8 0`, `BITFIELD a INCRBY u8 0 abc`, `BITFIELD a`,
		`BITFIELD missing GET u8 0`, `BITFIELD`, `BITFIELD a SET u8 4294967296 1`, `BITFIELD a GET u8 4294967288`,
		`BITFIELD a SET i8 0 128`, `BITFIELD a SET i8 0 -129`, `BITFIELD a SET u8 0 256`, `BITFIELD a SET u8 0 -1`,
		`BITFIELD a OVERFLOW SAT SET u8 0 1000`, `BITFIELD a OVERFLOW SAT SET i8 0 -1000 GET i8 0`,
		`BITFIELD a OVERFLOW FAIL SET u4 0 100`, `BITFIELD a INCRBY i63 0 9223372036854775807`,
		`BITFIELD a OVERFLOW SAT INCRBY i64 0 9223372036854775807 INCRBY i64 0 9223372036854775807`,
		`BITFIELD a OVERFLOW WRAP INCRBY u63 0 9223372036854775807 INCRBY u63 0 5`,
		`BITFIELD_RO a GET u8 0 GET i4 4`, `BITFIELD_RO a SET u8 0 1`, `BITFIELD_RO a INCRBY u8 0 1`,
		`BITFIELD_RO missing GET u8 0`, `BITFIELD_RO a`, `BITFIELD_RO`, `BITFIELD_RO a GET u8 #0 GET u8 #1`,
		`SET e v EX 100000`, `BITFIELD e SET u8 0 1`, `TTL e`,
	}},
	{name: "wrongtype", requires: [][]string{{"LPUSH", "probe:l", "v"}, {"SADD", "probe:s", "m"}, {"HSET", "probe:h", "f", "v"}}, cmds: []string{
		`LPUSH l v`, `GET l`, `SET l v GET`, `GETSET l v`, `GETEX l`, `GETDEL l`, `APPEND l x`, `STRLEN l`,
		`GETRANGE l 0 1`, `SETRANGE l 0 x`, `INCR l`, `DECRBY l 2`, `INCRBYFLOAT l 1`, `SETBIT l 0 1`, `GETBIT l 0`,
		`BITCOUNT l`, `BITPOS l 0`, `BITOP AND d l`, `BITFIELD l GET u8 0`, `BITFIELD_RO l GET u8 0`, `MGET l a`,
		`LCS l l`, `TYPE l`, `OBJECT ENCODING l`, `SET l v`, `TYPE l`, `GET l`, `DEBUG DIGEST-VALUE l`,
		`SADD s m`, `SET s v NX`, `SETNX s v`, `MSETNX s v`, `MSET s v`, `TYPE s`, `HSET h f v`, `COPY h h2`, `TYPE h2`,
		`RENAME h h3`, `TYPE h3`, `SCAN 0 TYPE hash`, `SCAN 0 TYPE list`, `SCAN 0 TYPE string`,
	}},
	{name: "megabyte-values", cmds: []string{
		`SET huge "` + megaValue + `"`, `STRLEN huge`, `GETRANGE huge 500000 500010`, `APPEND huge tail`,
		`SETRANGE huge 2000000 x`, `STRLEN huge`, `BITCOUNT huge`, `BITPOS huge 0 1048576`, `GET huge`,
		`GETRANGE huge -5 -1`, `SETBIT huge 16000000 1`, `STRLEN huge`, `COPY huge h2`, `GETDEL h2`,
		`@dumprestore huge h3 0`, `STRLEN h3`, `MGET huge h3`,
	}},
	{name: "big-and-binary-values", cmds: []string{
		`SET big "` + bigValue + `"`, `STRLEN big`, `GETRANGE big 1000 1010`, `APPEND big xyz`, `STRLEN big`,
		`OBJECT ENCODING big`, `SETRANGE big 5000 "\x00\xff"`, `GETRANGE big 4999 5002`, `BITCOUNT big`,
		`SET bin "\x00\x01\x02\xff\xfe\r\n\r\n$3\r\n*1\r\n"`, `GET bin`, `STRLEN bin`, `GETRANGE bin 5 8`, `APPEND bin "\x00"`,
		`GET bin`,
	}},
}

// bigValue is long enough to be a raw (not embstr) string and to cross a
// few buffer boundaries.
var bigValue = func() string {
	b := make([]byte, 6000)
	for i := range b {
		b[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[i%36]
	}
	return string(b)
}()

// megaValue is a 1 MB value, to cross every buffer size on the way.
var megaValue = func() string {
	b := make([]byte, 1<<20)
	for i := range b {
		b[i] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"[(i*7+i/1000)%62]
	}
	return string(b)
}()

// allSequences is every hand-written sequence.
func allSequences() []sequence {
	var all []sequence
	all = append(all, connectionSequences...)
	all = append(all, keySequences...)
	all = append(all, stringSequences...)
	return all
}
