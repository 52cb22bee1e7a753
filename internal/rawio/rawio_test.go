//go:build unix

package rawio

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
	"time"
)

// tcpPair returns both ends of a loopback TCP connection.
func tcpPair(t *testing.T) (client, server net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			accepted <- nil
			return
		}
		accepted <- c
	}()
	client, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server = <-accepted
	if server == nil {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { client.Close(); server.Close() })
	return client, server
}

// readOnce runs one Read of nc's descriptor inside RawConn.Read, without
// waiting.
func readOnce(t *testing.T, nc net.Conn, p []byte) (int, error) {
	t.Helper()
	var (
		n   int
		err error
	)
	if cerr := Conn(nc).Read(func(fd uintptr) bool {
		n, err = Read(fd, p)
		return true
	}); cerr != nil {
		t.Fatal(cerr)
	}
	return n, err
}

func TestReadEmptyDataAndEnd(t *testing.T) {
	a, b := tcpPair(t)
	buf := make([]byte, 64)
	if n, err := readOnce(t, b, buf); n != 0 || err != syscall.EAGAIN {
		t.Fatalf("empty socket: %d, %v; want 0, EAGAIN", n, err)
	}
	if _, err := a.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	// Wait in the poller for the bytes, as the loops do.
	var got []byte
	err := Conn(b).Read(func(fd uintptr) bool {
		n, err := Read(fd, buf)
		if err == syscall.EAGAIN {
			return false
		}
		got = append(got, buf[:n]...)
		return true
	})
	if err != nil || string(got) != "hello" {
		t.Fatalf("read %q, %v; want \"hello\"", got, err)
	}
	a.Close()
	err = Conn(b).Read(func(fd uintptr) bool {
		n, err := Read(fd, buf)
		if err == syscall.EAGAIN {
			return false
		}
		if n != 0 || err != nil {
			t.Errorf("at the end of the stream: %d, %v; want 0, nil", n, err)
		}
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A write larger than the socket buffers completes, waiting for room while
// the peer reads slowly, and every byte arrives in order.
func TestWriterWaitsForRoom(t *testing.T) {
	a, b := tcpPair(t)
	want := make([]byte, 16<<20)
	for i := range want {
		want[i] = byte(i * 7)
	}
	got := make(chan []byte, 1)
	go func() {
		var out bytes.Buffer
		buf := make([]byte, 4096)
		for out.Len() < len(want) {
			n, err := b.Read(buf)
			out.Write(buf[:n])
			if err != nil {
				break
			}
		}
		got <- out.Bytes()
	}()
	n, err := NewWriter(a).Write(want)
	if err != nil || n != len(want) {
		t.Fatalf("Write: %d, %v; want %d, nil", n, err, len(want))
	}
	if !bytes.Equal(<-got, want) {
		t.Fatal("the peer read different bytes")
	}
}

// A write deadline bounds the wait for room, as for net.Conn.Write.
func TestWriterDeadline(t *testing.T) {
	a, _ := tcpPair(t) // the peer never reads
	a.SetWriteDeadline(time.Now().Add(50 * time.Millisecond))
	n, err := NewWriter(a).Write(make([]byte, 64<<20))
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Write to a peer that does not read: %d, %v; want a deadline error", n, err)
	}
	if n == 0 || n >= 64<<20 {
		t.Fatalf("Write wrote %d bytes; want some, not all", n)
	}
	var oe *net.OpError
	if !errors.As(err, &oe) || oe.Op != "write" {
		t.Fatalf("error %v is not a write *net.OpError", err)
	}
}

func TestWriterClosedConn(t *testing.T) {
	a, _ := tcpPair(t)
	w := NewWriter(a)
	a.Close()
	if _, err := w.Write([]byte("x")); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Write after Close: %v; want net.ErrClosed", err)
	}
}

// After the peer is gone a write fails with the kernel's error.
func TestWriterPeerGone(t *testing.T) {
	a, b := tcpPair(t)
	b.Close()
	w := NewWriter(a)
	var err error
	for i := 0; i < 100 && err == nil; i++ {
		_, err = w.Write([]byte("ping\r\n"))
		if err == nil {
			// The first write after the peer's close is accepted; its
			// reset makes the next fail. Wait for it, not for a time.
			Conn(a).Read(func(fd uintptr) bool {
				var p [8]byte
				_, rerr := Read(fd, p[:])
				return rerr != syscall.EAGAIN
			})
		}
	}
	if !errors.Is(err, syscall.EPIPE) && !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("Write to a closed peer: %v; want EPIPE or ECONNRESET", err)
	}
}

// A connection that is not a socket is written through net.Conn.
func TestWriterPipe(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	go NewWriter(a).Write([]byte("through"))
	buf := make([]byte, 7)
	if _, err := io.ReadFull(b, buf); err != nil || string(buf) != "through" {
		t.Fatalf("read %q, %v", buf, err)
	}
}

// TryWrite writes what the socket takes and returns at once; the peer
// reads exactly those bytes.
func TestWriterTryWrite(t *testing.T) {
	a, b := tcpPair(t) // b does not read until TryWrite has returned
	p := make([]byte, 64<<20)
	for i := range p {
		p[i] = byte(i * 13)
	}
	w := NewWriter(a)
	if !w.Raw() {
		t.Fatal("a TCP connection's Writer is not raw")
	}
	n := w.TryWrite(p)
	if n == 0 || n >= len(p) {
		t.Fatalf("TryWrite of 64 MB to a peer that does not read: %d bytes; want some, not all", n)
	}
	got := make([]byte, n)
	b.SetReadDeadline(time.Now().Add(20 * time.Second))
	if _, err := io.ReadFull(b, got); err != nil || !bytes.Equal(got, p[:n]) {
		t.Fatalf("the peer read %v, different bytes", err)
	}
	if m := NewWriter(&pipeConn{}).TryWrite(p); m != 0 {
		t.Fatalf("TryWrite on a connection that is not a socket wrote %d bytes", m)
	}
}

// pipeConn is a net.Conn that is not a socket.
type pipeConn struct{ net.Conn }

// A write allocates nothing: the proxy writes every reply through a Writer.
func TestWriterAllocs(t *testing.T) {
	a, b := tcpPair(t)
	go io.Copy(io.Discard, b)
	w := NewWriter(a)
	p := []byte("+OK\r\n")
	if n := testing.AllocsPerRun(1000, func() {
		if _, err := w.Write(p); err != nil {
			t.Fatal(err)
		}
		w.TryWrite(p)
	}); n != 0 {
		t.Fatalf("Write and TryWrite allocate %.1f times per call", n)
	}
}
