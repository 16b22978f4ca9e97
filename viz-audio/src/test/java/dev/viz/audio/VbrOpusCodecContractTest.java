package dev.viz.audio;

import dev.viz.core.Codec;
import dev.viz.core.contract.CodecContract;

/** The codec contract against OpusCodec in VBR with in-band FEC: the encoder's own 40/60 ms packets. */
class VbrOpusCodecContractTest extends CodecContract {
    @Override
    protected Codec newCodec() {
        return OpusCodec.builder().constantBitrate(false).inbandFec(true).build();
    }
}
