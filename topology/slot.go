package topology

// SlotCount is the number of hash slots in Redis Cluster's keyspace.
const SlotCount = 16384

// crcTable is CRC16-CCITT (XMODEM): polynomial 0x1021, initial value 0, as
// Redis Cluster's keyHashSlot uses.
var crcTable = func() (t [256]uint16) {
	for i := range t {
		crc := uint16(i) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
		t[i] = crc
	}
	return t
}()

// CRC16 returns the CRC16 (XMODEM) of b.
func CRC16(b []byte) uint16 {
	var crc uint16
	for _, c := range b {
		crc = crc<<8 ^ crcTable[byte(crc>>8)^c]
	}
	return crc
}

// Slot returns the hash slot of key with Redis Cluster's hash-tag rule: if
// the key has a '{' followed later by a '}' with at least one byte between
// them, only the bytes between the first '{' and the first '}' after it are
// hashed; otherwise (no tag, or an empty "{}") the whole key is.
func Slot(key []byte) int {
	for i, c := range key {
		if c != '{' {
			continue
		}
		for j := i + 1; j < len(key); j++ {
			if key[j] == '}' {
				if j == i+1 {
					break // "{}": the whole key is hashed
				}
				return int(CRC16(key[i+1:j]) & (SlotCount - 1))
			}
		}
		break // only the first '{' counts
	}
	return int(CRC16(key) & (SlotCount - 1))
}
