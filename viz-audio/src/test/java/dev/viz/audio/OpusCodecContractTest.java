package dev.viz.audio;

import dev.viz.core.Codec;
import dev.viz.core.contract.CodecContract;

/** The codec contract against OpusCodec with its defaults (CBR, DTX: 40/60 ms frames are joined 20 ms frames). */
class OpusCodecContractTest extends CodecContract {
    @Override
    protected Codec newCodec() {
        return new OpusCodec();
    }
}
