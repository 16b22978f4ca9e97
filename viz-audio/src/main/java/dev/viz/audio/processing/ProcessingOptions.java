package dev.viz.audio.processing;

/**
 * What the captured audio goes through before it is encoded: echo cancellation, noise suppression,
 * automatic gain control and voice activity detection, each on or off, and their few settings.
 * Immutable; made by {@link #builder()}.
 *
 * <pre>{@code
 * ProcessingOptions options = ProcessingOptions.builder()
 *         .echoCancellation(true)
 *         .noiseSuppression(true)
 *         .gainControl(false)
 *         .build();
 * }</pre>
 */
public final class ProcessingOptions {
    /** Everything off: audio passes through untouched. */
    public static final ProcessingOptions OFF = builder().build();
    /** Everything on at the defaults: what a call on real devices gets. */
    public static final ProcessingOptions ALL = builder()
            .echoCancellation(true).noiseSuppression(true).gainControl(true).voiceActivity(true).build();

    private final boolean echoCancellation;
    private final boolean noiseSuppression;
    private final boolean gainControl;
    private final boolean voiceActivity;
    private final int echoTailMs;
    private final int maxEchoDelayMs;
    private final int noiseSuppressionDb;
    private final int echoSuppressionDb;
    private final int gainTargetDbfs;
    private final int maxGainDb;
    private final int subFrameMs;
    private final boolean driftCompensation;

    private ProcessingOptions(Builder b) {
        this.echoCancellation = b.echoCancellation;
        this.noiseSuppression = b.noiseSuppression;
        this.gainControl = b.gainControl;
        this.voiceActivity = b.voiceActivity;
        this.echoTailMs = b.echoTailMs;
        this.maxEchoDelayMs = b.maxEchoDelayMs;
        this.noiseSuppressionDb = b.noiseSuppressionDb;
        this.echoSuppressionDb = b.echoSuppressionDb;
        this.gainTargetDbfs = b.gainTargetDbfs;
        this.maxGainDb = b.maxGainDb;
        this.subFrameMs = b.subFrameMs;
        this.driftCompensation = b.driftCompensation;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these options, to change a few. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.echoCancellation = echoCancellation;
        b.noiseSuppression = noiseSuppression;
        b.gainControl = gainControl;
        b.voiceActivity = voiceActivity;
        b.echoTailMs = echoTailMs;
        b.maxEchoDelayMs = maxEchoDelayMs;
        b.noiseSuppressionDb = noiseSuppressionDb;
        b.echoSuppressionDb = echoSuppressionDb;
        b.gainTargetDbfs = gainTargetDbfs;
        b.maxGainDb = maxGainDb;
        b.subFrameMs = subFrameMs;
        b.driftCompensation = driftCompensation;
        return b;
    }

    public boolean echoCancellation() {
        return echoCancellation;
    }

    public boolean noiseSuppression() {
        return noiseSuppression;
    }

    public boolean gainControl() {
        return gainControl;
    }

    public boolean voiceActivity() {
        return voiceActivity;
    }

    /** Whether anything is on. */
    public boolean any() {
        return echoCancellation || noiseSuppression || gainControl || voiceActivity;
    }

    /** Length of the echo the canceller's filter models, after the delay has been taken out. */
    public int echoTailMs() {
        return echoTailMs;
    }

    /** Longest delay between playing and hearing the echo that is looked for. */
    public int maxEchoDelayMs() {
        return maxEchoDelayMs;
    }

    /** Most the noise is attenuated, in dB (negative). */
    public int noiseSuppressionDb() {
        return noiseSuppressionDb;
    }

    /** Most the echo left after the canceller is attenuated while only the far end talks, in dB (negative). */
    public int echoSuppressionDb() {
        return echoSuppressionDb;
    }

    /** The speech level gain control aims for: RMS of the active speech in dBFS (a full-scale sine is -3 dBFS). */
    public int gainTargetDbfs() {
        return gainTargetDbfs;
    }

    /** Most gain control adds, in dB. */
    public int maxGainDb() {
        return maxGainDb;
    }

    /** speexdsp's frame: 10 or 20 ms; a Viz frame is processed as several of them. */
    public int subFrameMs() {
        return subFrameMs;
    }

    /**
     * Whether the echo reference is resampled by the measured drift between the loudspeaker's and
     * the microphone's clocks (on by default; only with echo cancellation).
     */
    public boolean driftCompensation() {
        return driftCompensation;
    }

    /** For logs and the status line, for example {@code aec+ns+agc}, or {@code off}. */
    public String describe() {
        StringBuilder s = new StringBuilder();
        append(s, echoCancellation, "aec");
        append(s, noiseSuppression, "ns");
        append(s, gainControl, "agc");
        append(s, voiceActivity, "vad");
        return s.length() == 0 ? "off" : s.toString();
    }

    private static void append(StringBuilder s, boolean on, String name) {
        if (on) {
            s.append(s.length() == 0 ? "" : "+").append(name);
        }
    }

    @Override
    public String toString() {
        return "ProcessingOptions[" + describe() + ", tail " + echoTailMs + " ms, max delay " + maxEchoDelayMs
                + " ms, ns " + noiseSuppressionDb + " dB, echo suppression " + echoSuppressionDb + " dB, agc target "
                + gainTargetDbfs + " dBFS max +" + maxGainDb + " dB, sub-frame " + subFrameMs + " ms"
                + (driftCompensation ? "" : ", no drift compensation") + "]";
    }

    /** Builds {@link ProcessingOptions}; everything starts off. */
    public static final class Builder {
        private boolean echoCancellation;
        private boolean noiseSuppression;
        private boolean gainControl;
        private boolean voiceActivity;
        private int echoTailMs = 120;
        private int maxEchoDelayMs = 500;
        private int noiseSuppressionDb = -30;
        private int echoSuppressionDb = -40;
        private int gainTargetDbfs = -20;
        private int maxGainDb = 30;
        private int subFrameMs = 10;
        private boolean driftCompensation = true;

        private Builder() {
        }

        /**
         * Resample the echo reference by the measured clock drift between the loudspeaker and the
         * microphone (default on); off leaves the drift measured but not compensated.
         */
        public Builder driftCompensation(boolean on) {
            this.driftCompensation = on;
            return this;
        }

        public Builder echoCancellation(boolean on) {
            this.echoCancellation = on;
            return this;
        }

        public Builder noiseSuppression(boolean on) {
            this.noiseSuppression = on;
            return this;
        }

        public Builder gainControl(boolean on) {
            this.gainControl = on;
            return this;
        }

        public Builder voiceActivity(boolean on) {
            this.voiceActivity = on;
            return this;
        }

        /** @param ms 20 to 500 (default 120) */
        public Builder echoTailMs(int ms) {
            this.echoTailMs = check(ms, 20, 500, "echo tail ms");
            return this;
        }

        /** @param ms 50 to 2000 (default 500) */
        public Builder maxEchoDelayMs(int ms) {
            this.maxEchoDelayMs = check(ms, 50, 2000, "max echo delay ms");
            return this;
        }

        /** @param db -60 to 0 (default -30) */
        public Builder noiseSuppressionDb(int db) {
            this.noiseSuppressionDb = check(db, -60, 0, "noise suppression dB");
            return this;
        }

        /** @param db -80 to 0 (default -40) */
        public Builder echoSuppressionDb(int db) {
            this.echoSuppressionDb = check(db, -80, 0, "echo suppression dB");
            return this;
        }

        /** @param dbfs -40 to -18 (default -20), the RMS of the speech while it is active */
        public Builder gainTargetDbfs(int dbfs) {
            this.gainTargetDbfs = check(dbfs, -40, -18, "gain target dBFS");
            return this;
        }

        /** @param db 0 to 60 (default 30) */
        public Builder maxGainDb(int db) {
            this.maxGainDb = check(db, 0, 60, "max gain dB");
            return this;
        }

        /** @param ms 10 or 20 (default 10) */
        public Builder subFrameMs(int ms) {
            if (ms != 10 && ms != 20) {
                throw new IllegalArgumentException("sub-frame " + ms + " ms: use 10 or 20");
            }
            this.subFrameMs = ms;
            return this;
        }

        private static int check(int value, int min, int max, String what) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(what + " " + value + ": use " + min + " to " + max);
            }
            return value;
        }

        public ProcessingOptions build() {
            return new ProcessingOptions(this);
        }
    }
}
