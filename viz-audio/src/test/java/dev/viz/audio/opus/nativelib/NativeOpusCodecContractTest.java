package dev.viz.audio.opus.nativelib;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.viz.core.Codec;
import dev.viz.core.contract.CodecContract;
import org.junit.jupiter.api.BeforeAll;

/** The shared codec contract, run against native libopus. */
class NativeOpusCodecContractTest extends CodecContract {
    @BeforeAll
    static void requireLibopus() {
        assumeTrue(NativeOpus.isAvailable(), () -> "skipped: native Opus unavailable: " + NativeOpus.unavailabilityCause()
                + "; " + NativeOpus.INSTALL_HINT);
    }

    @Override
    protected Codec newCodec() {
        return new NativeOpusCodec(NativeOpusCodec.DEFAULT_BITRATE_BPS);
    }
}
