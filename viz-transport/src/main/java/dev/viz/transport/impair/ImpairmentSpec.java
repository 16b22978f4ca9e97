package dev.viz.transport.impair;

import dev.viz.core.Transport;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * What an {@link ImpairedTransport} does to datagrams: random loss (independent, or in bursts by a
 * Gilbert–Elliott model), reordering, duplication, and delay with jitter, all drawn from a seeded
 * generator so a run can be repeated exactly. Immutable; {@link #parse} reads the text form the
 * command line's {@code --simulate} takes:
 *
 * <pre>
 *   loss=5%,burst=3,reorder=1%,duplicate=1%,delay=30ms,jitter=40ms,seed=7,direction=both
 * </pre>
 *
 * <table>
 *   <caption>Keys (all optional; any order)</caption>
 *   <tr><th>key</th><th>value</th><th>meaning</th></tr>
 *   <tr><td>{@code loss}</td><td>percent</td><td>share of datagrams lost</td></tr>
 *   <tr><td>{@code burst}</td><td>datagrams, at least 1</td><td>mean length of a run of losses
 *       (Gilbert–Elliott: a good state that loses nothing and a bad state that loses everything);
 *       without it losses are independent</td></tr>
 *   <tr><td>{@code reorder}</td><td>percent</td><td>share of datagrams held back and delivered just
 *       after the next one</td></tr>
 *   <tr><td>{@code duplicate} ({@code dup})</td><td>percent</td><td>share of datagrams delivered twice</td></tr>
 *   <tr><td>{@code delay}</td><td>ms or s</td><td>fixed one-way delay</td></tr>
 *   <tr><td>{@code jitter}</td><td>ms or s</td><td>a further random delay, uniform from 0 to this;
 *       datagrams keep their order (as in one queue) unless {@code reorder} moves them</td></tr>
 *   <tr><td>{@code seed}</td><td>integer</td><td>the generator's seed (1 by default)</td></tr>
 *   <tr><td>{@code direction} ({@code dir})</td><td>{@code both}, {@code in}, {@code out}</td>
 *       <td>which way datagrams are impaired ({@code both} by default)</td></tr>
 * </table>
 *
 * Percentages take an optional {@code %}; durations take {@code ms} (the default unit) or {@code s}.
 */
public final class ImpairmentSpec {
    /** No impairment at all. */
    public static final ImpairmentSpec NONE = new ImpairmentSpec(0, 0, 0, 0, 0, 0, 1, Direction.BOTH);
    /** The longest delay or jitter accepted. */
    public static final long MAX_DELAY_NS = 10_000_000_000L;

    /** Which datagrams an impaired transport impairs. */
    public enum Direction {
        /** Both ways: as if the path itself were bad. */
        BOTH,
        /** Only datagrams received. */
        IN,
        /** Only datagrams sent. */
        OUT
    }

    private final double lossPercent;
    private final double burstLength;
    private final double reorderPercent;
    private final double duplicatePercent;
    private final long delayNs;
    private final long jitterNs;
    private final long seed;
    private final Direction direction;

    private ImpairmentSpec(double lossPercent, double burstLength, double reorderPercent, double duplicatePercent,
            long delayNs, long jitterNs, long seed, Direction direction) {
        this.lossPercent = lossPercent;
        this.burstLength = burstLength;
        this.reorderPercent = reorderPercent;
        this.duplicatePercent = duplicatePercent;
        this.delayNs = delayNs;
        this.jitterNs = jitterNs;
        this.seed = seed;
        this.direction = direction;
    }

    /**
     * Reads the text form (see the class comment). An empty text is {@link #NONE}.
     *
     * @throws IllegalArgumentException naming the key or value that is wrong and what is accepted
     */
    public static ImpairmentSpec parse(String text) {
        if (text == null || text.isBlank()) {
            return NONE;
        }
        double loss = 0;
        double burst = 0;
        double reorder = 0;
        double duplicate = 0;
        long delay = 0;
        long jitter = 0;
        long seed = 1;
        Direction direction = Direction.BOTH;
        for (String part : text.split(",")) {
            String item = part.trim();
            if (item.isEmpty()) {
                continue;
            }
            int eq = item.indexOf('=');
            if (eq <= 0 || eq == item.length() - 1) {
                throw new IllegalArgumentException("'" + item + "' in --simulate: use key=value, for example loss=5%");
            }
            String key = item.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String value = item.substring(eq + 1).trim();
            switch (key) {
                case "loss" -> loss = percent(key, value);
                case "burst" -> {
                    burst = number(key, value);
                    if (burst < 1 || burst > 1000) {
                        throw new IllegalArgumentException("burst=" + value + ": use a mean burst length of 1 to 1000 datagrams");
                    }
                }
                case "reorder" -> reorder = percent(key, value);
                case "duplicate", "dup" -> duplicate = percent(key, value);
                case "delay" -> delay = duration(key, value);
                case "jitter" -> jitter = duration(key, value);
                case "seed" -> {
                    try {
                        seed = Long.parseLong(value);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("seed=" + value + ": use an integer");
                    }
                }
                case "direction", "dir" -> direction = switch (value.toLowerCase(Locale.ROOT)) {
                    case "both" -> Direction.BOTH;
                    case "in" -> Direction.IN;
                    case "out" -> Direction.OUT;
                    default -> throw new IllegalArgumentException("direction=" + value + ": use both, in or out");
                };
                default -> throw new IllegalArgumentException("unknown impairment '" + key
                        + "': use loss, burst, reorder, duplicate, delay, jitter, seed or direction");
            }
        }
        if (burst > 0 && loss >= 100) {
            burst = 0;
        }
        if (burst > 0 && loss > 0) {
            double r = 1.0 / burst;
            double p = loss / 100 * r / (1 - loss / 100);
            if (p > 1) {
                throw new IllegalArgumentException("burst=" + burst + " is too short for loss=" + loss
                        + "%: a mean burst of at least " + String.format(Locale.ROOT, "%.2f", loss / (100 - loss))
                        + " datagrams is needed");
            }
        }
        return new ImpairmentSpec(loss, burst, reorder, duplicate, delay, jitter, seed, direction);
    }

    private static double number(String key, String value) {
        try {
            double v = Double.parseDouble(value);
            if (Double.isNaN(v) || Double.isInfinite(v)) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + "=" + value + ": not a number");
        }
    }

    private static double percent(String key, String value) {
        String v = value.endsWith("%") ? value.substring(0, value.length() - 1).trim() : value;
        double p = number(key, v);
        if (p < 0 || p > 100) {
            throw new IllegalArgumentException(key + "=" + value + ": use a percentage from 0 to 100");
        }
        return p;
    }

    private static long duration(String key, String value) {
        String v = value.toLowerCase(Locale.ROOT);
        double scale = 1_000_000;
        if (v.endsWith("ms")) {
            v = v.substring(0, v.length() - 2);
        } else if (v.endsWith("s")) {
            v = v.substring(0, v.length() - 1);
            scale = 1_000_000_000;
        }
        double d = number(key, v.trim());
        long ns = Math.round(d * scale);
        if (d < 0 || ns > MAX_DELAY_NS) {
            throw new IllegalArgumentException(key + "=" + value + ": use 0 to 10 s, for example 40ms");
        }
        return ns;
    }

    /** Wraps {@code inner} in an impaired transport on the system clock. */
    public ImpairedTransport wrap(Transport inner) {
        return new ImpairedTransport(inner, this, System::nanoTime);
    }

    /** Wraps {@code inner} in an impaired transport whose delays follow {@code clockNs} (a simulated clock, in tests). */
    public ImpairedTransport wrap(Transport inner, LongSupplier clockNs) {
        return new ImpairedTransport(inner, this, clockNs);
    }

    /** Whether this impairs nothing. */
    public boolean isNone() {
        return lossPercent == 0 && reorderPercent == 0 && duplicatePercent == 0 && delayNs == 0 && jitterNs == 0;
    }

    public double lossPercent() {
        return lossPercent;
    }

    /** Mean burst length in datagrams; 0 for independent losses. */
    public double burstLength() {
        return burstLength;
    }

    public double reorderPercent() {
        return reorderPercent;
    }

    public double duplicatePercent() {
        return duplicatePercent;
    }

    public long delayNs() {
        return delayNs;
    }

    public long jitterNs() {
        return jitterNs;
    }

    public long seed() {
        return seed;
    }

    public Direction direction() {
        return direction;
    }

    /** The same impairments with another seed. */
    public ImpairmentSpec withSeed(long seed) {
        return new ImpairmentSpec(lossPercent, burstLength, reorderPercent, duplicatePercent, delayNs, jitterNs, seed,
                direction);
    }

    /** The same impairments in another direction. */
    public ImpairmentSpec withDirection(Direction direction) {
        return new ImpairmentSpec(lossPercent, burstLength, reorderPercent, duplicatePercent, delayNs, jitterNs, seed,
                direction);
    }

    /** The text form, which {@link #parse} reads back to an equal spec. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        s.append("loss=").append(fmt(lossPercent)).append('%');
        if (burstLength > 0) {
            s.append(",burst=").append(fmt(burstLength));
        }
        s.append(",reorder=").append(fmt(reorderPercent)).append('%');
        s.append(",duplicate=").append(fmt(duplicatePercent)).append('%');
        s.append(",delay=").append(fmt(delayNs / 1e6)).append("ms");
        s.append(",jitter=").append(fmt(jitterNs / 1e6)).append("ms");
        s.append(",seed=").append(seed);
        s.append(",direction=").append(direction.name().toLowerCase(Locale.ROOT));
        return s.toString();
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImpairmentSpec s && s.lossPercent == lossPercent && s.burstLength == burstLength
                && s.reorderPercent == reorderPercent && s.duplicatePercent == duplicatePercent
                && s.delayNs == delayNs && s.jitterNs == jitterNs && s.seed == seed && s.direction == direction;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(seed) * 31 + Double.hashCode(lossPercent) * 17 + Long.hashCode(jitterNs);
    }
}
