/** nnzip's Spark-free core: tensors, file formats, codecs, the artifact and training. */
package nnzip;
