package dev.viz.core.batch;

import dev.viz.core.AudioFormat;
import dev.viz.core.Batcher;
import dev.viz.core.Codec;
import dev.viz.core.Compressor;
import dev.viz.core.VoiceSession;
import dev.viz.core.wire.AudioBatch;
import dev.viz.core.wire.PayloadHeader;

/**
 * The default {@link Batcher}: consecutive frames with one sequence number for the batch, one
 * length for all frames when they are the same size (as constant-bitrate Opus makes them), and the
 * frames area run through the session's {@link Compressor}. The layout is in {@link AudioBatch}.
 *
 * <p>Network thread only. Every buffer is allocated in {@link #open}; append, flush and read
 * allocate nothing.
 */
public final class FrameBatcher implements Batcher {
    private static final int MAX_FRAMES = VoiceSession.Builder.MAX_FRAMES_PER_BATCH;
    /** The largest raw frames area a batch can have. */
    private static final int MAX_AREA = MAX_FRAMES * (AudioBatch.LENGTH_BYTES + Codec.MAX_ENCODED_BYTES);

    private final int[] frameOffsets = new int[MAX_FRAMES];
    private final int[] frameLengths = new int[MAX_FRAMES];
    private byte[] staging;
    private byte[] area;
    private AudioFormat format;
    private Compressor compressor;
    private int framesPerBatch;
    private int maxPayloadBytes;
    private int pending;
    private int stagedBytes;
    private long firstSequence;

    @Override
    public void open(AudioFormat format, int framesPerBatch, int maxPayloadBytes, Compressor compressor) {
        if (framesPerBatch < 1 || framesPerBatch > MAX_FRAMES) {
            throw new IllegalArgumentException("frames per batch " + framesPerBatch + ": use 1 to " + MAX_FRAMES);
        }
        int smallest = AudioBatch.HEADER_LENGTH + AudioBatch.LENGTH_BYTES + Codec.MAX_ENCODED_BYTES
                + compressor.maxOverheadBytes();
        if (maxPayloadBytes < smallest) {
            throw new IllegalArgumentException("payload limit " + maxPayloadBytes + " bytes is below " + smallest
                    + ", the size of a batch holding one frame of the largest size: raise the datagram size limit");
        }
        this.format = format;
        this.framesPerBatch = framesPerBatch;
        this.maxPayloadBytes = maxPayloadBytes;
        this.compressor = compressor;
        this.staging = new byte[MAX_AREA];
        this.area = new byte[MAX_AREA];
        this.pending = 0;
        this.stagedBytes = 0;
    }

    @Override
    public int append(long sequence, byte[] frame, int offset, int length) {
        if (length < 0 || length > Codec.MAX_ENCODED_BYTES) {
            throw new IllegalArgumentException("frame length " + length);
        }
        if (pending > 0) {
            boolean follows = ((firstSequence + pending) & 0xFFFF_FFFFL) == (sequence & 0xFFFF_FFFFL);
            int worstCase = AudioBatch.HEADER_LENGTH + compressor.maxOverheadBytes()
                    + AudioBatch.LENGTH_BYTES * (pending + 1) + stagedBytes + length;
            if (!follows || pending == framesPerBatch || worstCase > maxPayloadBytes) {
                return FLUSH_FIRST;
            }
        } else {
            firstSequence = sequence & 0xFFFF_FFFFL;
        }
        System.arraycopy(frame, offset, staging, stagedBytes, length);
        frameOffsets[pending] = stagedBytes;
        frameLengths[pending] = length;
        stagedBytes += length;
        pending++;
        return APPENDED;
    }

    @Override
    public int pendingFrames() {
        return pending;
    }

    @Override
    public boolean isComplete() {
        return pending >= framesPerBatch;
    }

    @Override
    public int flush(byte[] dst, int offset) {
        if (pending == 0) {
            return 0;
        }
        boolean uniform = true;
        for (int i = 1; i < pending; i++) {
            if (frameLengths[i] != frameLengths[0]) {
                uniform = false;
                break;
            }
        }
        int areaLength;
        if (uniform) {
            PayloadHeader.putShort(area, 0, frameLengths[0]);
            System.arraycopy(staging, 0, area, AudioBatch.LENGTH_BYTES, stagedBytes);
            areaLength = AudioBatch.LENGTH_BYTES + stagedBytes;
        } else {
            for (int i = 0; i < pending; i++) {
                PayloadHeader.putShort(area, i * AudioBatch.LENGTH_BYTES, frameLengths[i]);
            }
            int lengths = pending * AudioBatch.LENGTH_BYTES;
            System.arraycopy(staging, 0, area, lengths, stagedBytes);
            areaLength = lengths + stagedBytes;
        }
        dst[offset] = PayloadHeader.encode(PayloadHeader.KIND_AUDIO);
        dst[offset + AudioBatch.FLAGS_OFFSET] = (byte) (uniform ? AudioBatch.FLAG_UNIFORM : 0);
        dst[offset + AudioBatch.COUNT_OFFSET] = (byte) pending;
        dst[offset + AudioBatch.FRAME_MS_OFFSET] = (byte) format.frameMs();
        PayloadHeader.putInt(dst, offset + AudioBatch.FIRST_SEQUENCE_OFFSET, (int) firstSequence);
        int compressed = compressor.compress(area, 0, areaLength, dst, offset + AudioBatch.AREA_OFFSET,
                maxPayloadBytes - AudioBatch.AREA_OFFSET);
        pending = 0;
        stagedBytes = 0;
        if (compressed < 0) {
            // Cannot happen with a compressor that keeps its overhead bound; dropping is all that is left.
            return 0;
        }
        return AudioBatch.AREA_OFFSET + compressed;
    }

    @Override
    public int read(byte[] src, int offset, int length, FrameHandler handler) {
        if (length < AudioBatch.HEADER_LENGTH + AudioBatch.LENGTH_BYTES) {
            return ERROR_MALFORMED;
        }
        byte header = src[offset];
        if (PayloadHeader.version(header) != PayloadHeader.VERSION) {
            return ERROR_VERSION;
        }
        if (PayloadHeader.kind(header) != PayloadHeader.KIND_AUDIO) {
            return ERROR_MALFORMED;
        }
        int flags = src[offset + AudioBatch.FLAGS_OFFSET] & 0xFF;
        int count = src[offset + AudioBatch.COUNT_OFFSET] & 0xFF;
        int frameMs = src[offset + AudioBatch.FRAME_MS_OFFSET] & 0xFF;
        if ((flags & ~AudioBatch.KNOWN_FLAGS) != 0) {
            return ERROR_VERSION;
        }
        if (count < 1 || count > MAX_FRAMES || frameMs != format.frameMs()) {
            return ERROR_MALFORMED;
        }
        long first = PayloadHeader.getUnsignedInt(src, offset + AudioBatch.FIRST_SEQUENCE_OFFSET);
        int areaLength = compressor.decompress(src, offset + AudioBatch.AREA_OFFSET,
                length - AudioBatch.AREA_OFFSET, area, 0, MAX_AREA);
        if (areaLength < 0) {
            return ERROR_COMPRESSION;
        }
        if ((flags & AudioBatch.FLAG_UNIFORM) != 0) {
            if (areaLength < AudioBatch.LENGTH_BYTES) {
                return ERROR_MALFORMED;
            }
            int frameLength = PayloadHeader.getUnsignedShort(area, 0);
            if (frameLength > Codec.MAX_ENCODED_BYTES
                    || AudioBatch.LENGTH_BYTES + (long) frameLength * count != areaLength) {
                return ERROR_MALFORMED;
            }
            int at = AudioBatch.LENGTH_BYTES;
            for (int i = 0; i < count; i++) {
                handler.onFrame((first + i) & 0xFFFF_FFFFL, area, at, frameLength);
                at += frameLength;
            }
        } else {
            int lengths = count * AudioBatch.LENGTH_BYTES;
            if (areaLength < lengths) {
                return ERROR_MALFORMED;
            }
            long total = lengths;
            for (int i = 0; i < count; i++) {
                int frameLength = PayloadHeader.getUnsignedShort(area, i * AudioBatch.LENGTH_BYTES);
                if (frameLength > Codec.MAX_ENCODED_BYTES) {
                    return ERROR_MALFORMED;
                }
                total += frameLength;
            }
            if (total != areaLength) {
                return ERROR_MALFORMED;
            }
            int at = lengths;
            for (int i = 0; i < count; i++) {
                int frameLength = PayloadHeader.getUnsignedShort(area, i * AudioBatch.LENGTH_BYTES);
                handler.onFrame((first + i) & 0xFFFF_FFFFL, area, at, frameLength);
                at += frameLength;
            }
        }
        return count;
    }
}
