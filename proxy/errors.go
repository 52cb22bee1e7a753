package proxy

import (
	"errors"
	"fmt"
)

// ErrServerClosed is returned by Serve and ListenAndServe after Shutdown or
// Close.
var ErrServerClosed = errors.New("proxy: server closed")

// errLinkClosed is returned by node calls on a link that a reload or Close
// retired.
var errLinkClosed = errors.New("proxy: node link closed")

// Error replies the proxy gives itself. Where Redis (Cluster) has a reply
// for the case, it is the same text.
const (
	errCrossSlot    = "CROSSSLOT Keys in request don't hash to the same slot"
	errNoAuth       = "NOAUTH Authentication required."
	errWrongPass    = "WRONGPASS invalid username-password pair or user is disabled."
	errAuthNoPass   = "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"
	errClientName   = "ERR Client names cannot contain spaces, newlines or special characters."
	errSelectNotAll = "ERR SELECT is not allowed in cluster mode"
	errNotInteger   = "ERR value is not an integer or out of range"
	errSyntax       = "ERR syntax error"
	errInvalidDB    = "ERR DB index is out of range"
	errHelloNoAuth  = "NOAUTH HELLO must be called with the client already authenticated, otherwise the " +
		"HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP " +
		"protocol version at the same time"
	errInvalidCursor = "ERR invalid cursor"
	errNoOwner       = "CLUSTERDOWN Hash slot not served"
)

// ReplyError is an error reply a node or the proxy sent: the client sees
// Msg after '-'. Node calls return it for error replies so that callers can
// tell a reply apart from a failure to get one (errors.As).
type ReplyError struct{ Msg string }

func (e *ReplyError) Error() string { return e.Msg }

// RedisError marks ReplyError as an error the client should see, as
// go-redis's proto.RedisError does.
func (e *ReplyError) RedisError() {}

// nodeDownMsg is the error reply for commands whose node cannot be reached:
// Redis Cluster's "CLUSTERDOWN The cluster is down", naming the node and
// why, so that an operator knows which one to look at.
func nodeDownMsg(addr string, why string) string {
	return fmt.Sprintf("CLUSTERDOWN The cluster is down: node %s %s", addr, why)
}
