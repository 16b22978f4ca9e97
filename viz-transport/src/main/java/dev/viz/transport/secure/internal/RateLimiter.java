package dev.viz.transport.secure.internal;

/**
 * Token buckets for handshake initiations: one per source host (a fixed table, the stalest entry
 * recycled) and one overall. A handshake costs the responder three X25519 operations (about
 * 0.15 ms); the limits keep a flood of forged handshakes to a few milliseconds of work per second
 * and never touch the data path. Allocates nothing.
 *
 * <p>Not thread-safe: the network thread owns it.
 */
public final class RateLimiter {
    private static final int TABLE = 256;
    private static final int PROBES = 4;
    private static final long NS_PER_S = 1_000_000_000L;

    private final long perSourcePerSecond;
    private final long perSourceBurst;
    private final long overallPerSecond;
    private final long overallBurst;
    private final long[] keys = new long[TABLE];
    /** Tokens scaled by 1e9 (token-nanoseconds), so refills stay integral. */
    private final long[] tokens = new long[TABLE];
    private final long[] lastNs = new long[TABLE];
    private long overallTokens;
    private long overallLastNs;
    private boolean started;

    public RateLimiter(int perSourcePerSecond, int perSourceBurst, int overallPerSecond, int overallBurst) {
        this.perSourcePerSecond = perSourcePerSecond;
        this.perSourceBurst = perSourceBurst;
        this.overallPerSecond = overallPerSecond;
        this.overallBurst = overallBurst;
    }

    /** Takes one token from {@code sourceKey}'s bucket and the overall one; false when either is empty. */
    public boolean tryAcquire(long sourceKey, long nowNs) {
        if (!started) {
            started = true;
            overallLastNs = nowNs;
            overallTokens = overallBurst * NS_PER_S;
        }
        overallTokens = refill(overallTokens, overallLastNs, nowNs, overallPerSecond, overallBurst);
        overallLastNs = nowNs;
        if (overallTokens < NS_PER_S) {
            return false;
        }
        if (sourceKey != 0) {
            int slot = slot(sourceKey, nowNs);
            tokens[slot] = refill(tokens[slot], lastNs[slot], nowNs, perSourcePerSecond, perSourceBurst);
            lastNs[slot] = nowNs;
            if (tokens[slot] < NS_PER_S) {
                return false;
            }
            tokens[slot] -= NS_PER_S;
        }
        overallTokens -= NS_PER_S;
        return true;
    }

    private static long refill(long tokens, long sinceNs, long nowNs, long perSecond, long burst) {
        long elapsedNs = Math.max(0, nowNs - sinceNs);
        long cap = burst * NS_PER_S;
        // elapsed * rate overflows only after 2^63 / (rate * 1e9) ns: clamp the elapsed time first.
        long added = Math.min(elapsedNs, cap) * perSecond;
        return Math.min(cap, tokens + Math.min(added, cap));
    }

    private int slot(long key, long nowNs) {
        int start = (int) ((key * 0x9E3779B97F4A7C15L) >>> (64 - 8));
        int stalest = start;
        for (int i = 0; i < PROBES; i++) {
            int s = (start + i) & (TABLE - 1);
            if (keys[s] == key) {
                return s;
            }
            if (keys[s] == 0) {
                stalest = s;
                break;
            }
            if (lastNs[s] - lastNs[stalest] < 0) {
                stalest = s;
            }
        }
        keys[stalest] = key;
        tokens[stalest] = perSourceBurst * NS_PER_S;
        lastNs[stalest] = nowNs;
        return stalest;
    }
}
