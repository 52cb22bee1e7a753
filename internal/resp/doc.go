// Package resp is shardis's one implementation of the Redis wire protocol,
// shared by the backend, the proxy, the AOF and the bench tools.
//
// # Basics
//
// Reader parses client requests as redis-server 7.0 does: multibulk
// requests ("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n") when the first byte is '*',
// inline requests ("GET k\r\n", split with Redis's quoting rules) otherwise.
// Writer encodes replies in RESP2 or RESP3. ReplyReader reads replies, as a
// client or the proxy does; AppendCommand encodes a request.
//
// # Invariants
//
//   - Malformed requests get redis-server's exact error text: ReadCommand
//     returns a *ProtocolError whose Error() follows "ERR " in the reply, and
//     the connection is then closed, as Redis does. The texts and the cases
//     that produce them are checked against a real redis-server by the
//     interop tests.
//   - No header makes a reader allocate more than what actually arrived: the
//     buffer grows (doubling) only when it is full of received bytes, and
//     argument and element lists grow as arguments arrive, never to a
//     declared count.
//   - Parsing pipelined requests allocates nothing in the steady state: the
//     arguments are slices into a reused buffer, valid until the next
//     ReadCommand call. ReplyReader.ReadRaw likewise.
//   - A reader's answer never depends on how the bytes were split across
//     reads (the fuzz tests check it).
//
// # Caveats
//
// Where redis-server's verdict depends on read boundaries, the Reader picks
// the strict one: an inline request, multibulk count or bulk length line
// must end within MaxInlineLen+1 bytes, while redis-server, which checks
// only after a read that brought no line end, accepts up to about 80 KB when
// a line arrives in one burst.
//
// Like redis-server, the Reader does not check the two bytes that follow a
// bulk argument or the byte that follows the '\r' of a length line, and a
// NUL byte in an inline request or a length line means its end is never
// found (redis-server searches with strchr), which ends in a "too big"
// error once 64 KB have arrived.
//
// Readers and Writers are not safe for concurrent use.
package resp
