/**
 * The safetensors format (8-byte little-endian header length, JSON header, raw little-endian
 * tensor bytes) read and written through the Hadoop FileSystem API, including Hugging Face sharded
 * models ({@code model.safetensors.index.json}); a model on the local disk also opens with java.nio
 * alone, without starting a Hadoop file system. Reading parses only the header and then fetches
 * byte ranges with positioned reads, so a driver never loads weights and an executor loads only its
 * own ranges. Validation follows the reference implementation (huggingface/safetensors): every
 * header inconsistency is an {@link nnzip.InvalidInputException} with a one-line message naming the
 * file and tensor.
 */
package nnzip.io.safetensors;
