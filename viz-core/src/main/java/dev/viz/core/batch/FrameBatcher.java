package dev.viz.core.batch;

import dev.viz.core.AudioFormat;
import dev.viz.core.Batcher;
import dev.viz.core.Codec;
import dev.viz.core.Compressor;
import dev.viz.core.wire.AudioBatch;
import dev.viz.core.wire.PayloadHeader;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The default {@link Batcher}: consecutive frames with one sequence number for the batch, one
 * length for all frames when they are the same size (as constant-bitrate Opus makes them), an
 * optional block of redundant copies of the frames before the batch, and the frames area run
 * through the session's {@link Compressor}. The layout is in {@link AudioBatch}.
 *
 * <p>Network thread only. Every buffer is allocated in {@link #open}; append, flush and read
 * allocate nothing.
 */
public final class FrameBatcher implements Batcher {
    /** The most frames one batch holds (the count is one byte on the wire; 32 keeps the area small). */
    public static final int MAX_FRAMES = 32;
    /** The least room for a frame a batch must have: a 60 ms frame at 32 kbit/s. */
    static final int MIN_FRAME_BYTES = 240;
    /** The largest raw frames area a batch can have, without copies. */
    private static final int MAX_PRIMARY_AREA = MAX_FRAMES * (AudioBatch.LENGTH_BYTES + Codec.MAX_ENCODED_BYTES);
    /** The largest redundancy block. */
    private static final int MAX_COPY_AREA =
            AudioBatch.COPY_COUNT_BYTES + AudioBatch.MAX_COPIES * (AudioBatch.LENGTH_BYTES + Codec.MAX_ENCODED_BYTES);
    /** The largest raw frames area a batch can have, copies included: what decompression may produce. */
    private static final int MAX_AREA = MAX_PRIMARY_AREA + MAX_COPY_AREA;

    private final int[] frameOffsets = new int[MAX_FRAMES];
    private final int[] frameLengths = new int[MAX_FRAMES];
    private final int[] copyOffsets = new int[AudioBatch.MAX_COPIES];
    private final int[] copyLengths = new int[AudioBatch.MAX_COPIES];
    private byte[] staging;
    private byte[] copyStaging;
    private byte[] area;
    /** The frame duration every batch is written with and every batch read must have. */
    private int frameMs;
    private Compressor compressor;
    private int framesPerBatch;
    private int maxPayloadBytes;
    private int pending;
    private int stagedBytes;
    private int copies;
    private int copyBytes;
    private long firstSequence;

    /** A batcher to {@link #open}; one per session. */
    public FrameBatcher() {
    }

    @Override
    public void open(AudioFormat format, int framesPerBatch, int maxPayloadBytes, Compressor compressor) {
        if (framesPerBatch < 1 || framesPerBatch > MAX_FRAMES) {
            throw new IllegalArgumentException("frames per batch " + framesPerBatch + ": use 1 to " + MAX_FRAMES);
        }
        // The session caps its encoder's frames to what a batch holds (a 1200-byte datagram does not hold
        // Opus's largest frame, 1275 bytes); the batcher needs room for one frame of a usable size.
        int smallest = overheadBytes(1, 0) + MIN_FRAME_BYTES + compressor.maxOverheadBytes();
        if (maxPayloadBytes < smallest) {
            throw new IllegalArgumentException("payload limit " + maxPayloadBytes + " bytes is below " + smallest
                    + ", the size of a batch holding one frame of " + MIN_FRAME_BYTES
                    + " bytes: raise the datagram size limit");
        }
        this.frameMs = format.frameMs();
        this.framesPerBatch = framesPerBatch;
        this.maxPayloadBytes = maxPayloadBytes;
        this.compressor = compressor;
        this.staging = new byte[MAX_PRIMARY_AREA];
        this.copyStaging = new byte[Math.min(maxPayloadBytes, AudioBatch.MAX_COPIES * Codec.MAX_ENCODED_BYTES)];
        this.area = new byte[MAX_AREA];
        this.pending = 0;
        this.stagedBytes = 0;
        this.copies = 0;
        this.copyBytes = 0;
    }

    @Override
    public int maxFramesPerBatch() {
        return MAX_FRAMES;
    }

    @Override
    public int maxCopies() {
        return AudioBatch.MAX_COPIES;
    }

    @Override
    public int overheadBytes(int frames, int copies) {
        int size = AudioBatch.HEADER_LENGTH + AudioBatch.LENGTH_BYTES * frames;
        if (copies > 0) {
            size += AudioBatch.COPY_COUNT_BYTES + AudioBatch.LENGTH_BYTES * copies;
        }
        return size;
    }

    /** The most bytes a flush writes for {@code frames} frames of {@code frameBytes} in all and the given copies. */
    private int worstCase(int frames, int frameBytes, int copyCount, int copyByteCount) {
        int size = AudioBatch.HEADER_LENGTH + compressor.maxOverheadBytes()
                + AudioBatch.LENGTH_BYTES * frames + frameBytes;
        if (copyCount > 0) {
            size += AudioBatch.COPY_COUNT_BYTES + AudioBatch.LENGTH_BYTES * copyCount + copyByteCount;
        }
        return size;
    }

    @Override
    public int append(long sequence, byte[] frame, int offset, int length) {
        if (length < 0 || length > Codec.MAX_ENCODED_BYTES) {
            throw new IllegalArgumentException("frame length " + length);
        }
        if (pending > 0) {
            boolean follows = ((firstSequence + pending) & 0xFFFF_FFFFL) == (sequence & 0xFFFF_FFFFL);
            if (!follows || pending == framesPerBatch || copies > 0
                    || worstCase(pending + 1, stagedBytes + length, 0, 0) > maxPayloadBytes) {
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
    public int appendRedundant(long sequence, byte[] copy, int offset, int length) {
        if (pending == 0 || copies == AudioBatch.MAX_COPIES || length < 0 || length > Codec.MAX_ENCODED_BYTES) {
            return FLUSH_FIRST;
        }
        if (((firstSequence - copies - 1) & 0xFFFF_FFFFL) != (sequence & 0xFFFF_FFFFL)) {
            return FLUSH_FIRST;
        }
        if (copyBytes + length > copyStaging.length
                || worstCase(pending, stagedBytes, copies + 1, copyBytes + length) > maxPayloadBytes) {
            return FLUSH_FIRST;
        }
        System.arraycopy(copy, offset, copyStaging, copyBytes, length);
        copyOffsets[copies] = copyBytes;
        copyLengths[copies] = length;
        copyBytes += length;
        copies++;
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
    public int flush(byte[] dst, int offset, int batchFlags) {
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
            putU16(area, 0, frameLengths[0]);
            System.arraycopy(staging, 0, area, AudioBatch.LENGTH_BYTES, stagedBytes);
            areaLength = AudioBatch.LENGTH_BYTES + stagedBytes;
        } else {
            for (int i = 0; i < pending; i++) {
                putU16(area, i * AudioBatch.LENGTH_BYTES, frameLengths[i]);
            }
            int lengths = pending * AudioBatch.LENGTH_BYTES;
            System.arraycopy(staging, 0, area, lengths, stagedBytes);
            areaLength = lengths + stagedBytes;
        }
        if (copies > 0) {
            // Staged newest first; written oldest first, so copy j is frame first - copies + j.
            area[areaLength++] = (byte) copies;
            for (int j = 0; j < copies; j++) {
                putU16(area, areaLength, copyLengths[copies - 1 - j]);
                areaLength += AudioBatch.LENGTH_BYTES;
            }
            for (int j = 0; j < copies; j++) {
                int staged = copies - 1 - j;
                System.arraycopy(copyStaging, copyOffsets[staged], area, areaLength, copyLengths[staged]);
                areaLength += copyLengths[staged];
            }
        }
        int flags = (uniform ? AudioBatch.FLAG_UNIFORM : 0) | (copies > 0 ? AudioBatch.FLAG_REDUNDANT : 0)
                | ((batchFlags & BATCH_FEC) != 0 ? AudioBatch.FLAG_FEC : 0);
        dst[offset] = PAYLOAD_TYPE;
        dst[offset + AudioBatch.FLAGS_OFFSET] = (byte) flags;
        dst[offset + AudioBatch.COUNT_OFFSET] = (byte) pending;
        dst[offset + AudioBatch.FRAME_MS_OFFSET] = (byte) this.frameMs;
        putU32(dst, offset + AudioBatch.FIRST_SEQUENCE_OFFSET, (int) firstSequence);
        int compressed = compressor.compress(area, 0, areaLength, dst, offset + AudioBatch.AREA_OFFSET,
                maxPayloadBytes - AudioBatch.AREA_OFFSET);
        pending = 0;
        stagedBytes = 0;
        copies = 0;
        copyBytes = 0;
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
        if (header != PAYLOAD_TYPE) {
            // The payload type is the header byte: version 1, kind audio. Another version is refused as such.
            return ((header >> 4) & 0x0F) != PayloadHeader.VERSION ? ERROR_VERSION : ERROR_MALFORMED;
        }
        int flags = src[offset + AudioBatch.FLAGS_OFFSET] & 0xFF;
        int count = src[offset + AudioBatch.COUNT_OFFSET] & 0xFF;
        int frameMs = src[offset + AudioBatch.FRAME_MS_OFFSET] & 0xFF;
        if ((flags & ~AudioBatch.KNOWN_FLAGS) != 0) {
            return ERROR_VERSION;
        }
        if (count < 1 || count > MAX_FRAMES || frameMs != this.frameMs) {
            return ERROR_MALFORMED;
        }
        long first = getU32(src, offset + AudioBatch.FIRST_SEQUENCE_OFFSET);
        int areaLength = compressor.decompress(src, offset + AudioBatch.AREA_OFFSET,
                length - AudioBatch.AREA_OFFSET, area, 0, MAX_AREA);
        if (areaLength < 0) {
            return ERROR_COMPRESSION;
        }
        boolean uniform = (flags & AudioBatch.FLAG_UNIFORM) != 0;
        // Validate the whole area before handing out a single frame.
        long primaryEnd;
        int uniformLength = 0;
        if (uniform) {
            if (areaLength < AudioBatch.LENGTH_BYTES) {
                return ERROR_MALFORMED;
            }
            uniformLength = getU16(area, 0);
            if (uniformLength > Codec.MAX_ENCODED_BYTES) {
                return ERROR_MALFORMED;
            }
            primaryEnd = AudioBatch.LENGTH_BYTES + (long) uniformLength * count;
        } else {
            int lengths = count * AudioBatch.LENGTH_BYTES;
            if (areaLength < lengths) {
                return ERROR_MALFORMED;
            }
            primaryEnd = lengths;
            for (int i = 0; i < count; i++) {
                int frameLength = getU16(area, i * AudioBatch.LENGTH_BYTES);
                if (frameLength > Codec.MAX_ENCODED_BYTES) {
                    return ERROR_MALFORMED;
                }
                primaryEnd += frameLength;
            }
        }
        int copyCount = 0;
        if ((flags & AudioBatch.FLAG_REDUNDANT) == 0) {
            if (primaryEnd != areaLength) {
                return ERROR_MALFORMED;
            }
        } else {
            if (primaryEnd + AudioBatch.COPY_COUNT_BYTES > areaLength) {
                return ERROR_MALFORMED;
            }
            copyCount = area[(int) primaryEnd] & 0xFF;
            long copyLengthsAt = primaryEnd + AudioBatch.COPY_COUNT_BYTES;
            if (copyCount < 1 || copyCount > AudioBatch.MAX_COPIES
                    || copyLengthsAt + (long) copyCount * AudioBatch.LENGTH_BYTES > areaLength) {
                return ERROR_MALFORMED;
            }
            long end = copyLengthsAt + (long) copyCount * AudioBatch.LENGTH_BYTES;
            for (int j = 0; j < copyCount; j++) {
                int copyLength = getU16(area, (int) copyLengthsAt + j * AudioBatch.LENGTH_BYTES);
                if (copyLength > Codec.MAX_ENCODED_BYTES) {
                    return ERROR_MALFORMED;
                }
                end += copyLength;
            }
            if (end != areaLength) {
                return ERROR_MALFORMED;
            }
        }
        handler.onBatch(first, count, (flags & AudioBatch.FLAG_FEC) != 0 ? BATCH_FEC : 0);
        if (copyCount > 0) {
            int lengthsAt = (int) primaryEnd + AudioBatch.COPY_COUNT_BYTES;
            int at = lengthsAt + copyCount * AudioBatch.LENGTH_BYTES;
            for (int j = 0; j < copyCount; j++) {
                int copyLength = getU16(area, lengthsAt + j * AudioBatch.LENGTH_BYTES);
                handler.onRedundantFrame((first - copyCount + j) & 0xFFFF_FFFFL, area, at, copyLength);
                at += copyLength;
            }
        }
        if (uniform) {
            int at = AudioBatch.LENGTH_BYTES;
            for (int i = 0; i < count; i++) {
                handler.onFrame((first + i) & 0xFFFF_FFFFL, area, at, uniformLength);
                at += uniformLength;
            }
        } else {
            int at = count * AudioBatch.LENGTH_BYTES;
            for (int i = 0; i < count; i++) {
                int frameLength = getU16(area, i * AudioBatch.LENGTH_BYTES);
                handler.onFrame((first + i) & 0xFFFF_FFFFL, area, at, frameLength);
                at += frameLength;
            }
        }
        return count;
    }

    // The batch's big-endian fields, through the JDK's byte-array views: the batcher owns its format.

    private static final VarHandle U16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle U32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private static void putU16(byte[] buffer, int offset, int value) {
        U16.set(buffer, offset, (short) value);
    }

    private static int getU16(byte[] buffer, int offset) {
        return (short) U16.get(buffer, offset) & 0xFFFF;
    }

    private static void putU32(byte[] buffer, int offset, int value) {
        U32.set(buffer, offset, value);
    }

    private static long getU32(byte[] buffer, int offset) {
        return (int) U32.get(buffer, offset) & 0xFFFF_FFFFL;
    }
}
