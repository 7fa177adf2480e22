package nnzip.compress;

import java.io.Serializable;
import nnzip.codec.CodecKind;
import nnzip.codec.Scope;
import nnzip.codec.TensorCoder;

/**
 * A coded tensor between the fit and the encode pass, whatever its codec: the coder the encode pass
 * broadcasts, and what the manifest records about it.
 *
 * @param kind the codec
 * @param coder the fitted coder
 * @param scope the grouping of its parameters; {@link Scope#GLOBAL}: the coder's
 *     {@link TensorCoder#groupParameters} are shared by every global tensor and stored once
 * @param channels parameter groups along the channel axis (1 unless per channel or block)
 * @param channelAxis axis of the channels
 */
public record FittedTensor(CodecKind kind, TensorCoder coder, Scope scope, int channels, int channelAxis)
    implements Serializable {}
