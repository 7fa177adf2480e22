/**
 * ONNX graphs as SameDiff graphs: an explicit mapper for the operators that MLPs and CNNs use
 * (ND4J's own ONNX importer computes wrong results, see DESIGN.md), so that nnzip can evaluate and
 * finetune any exported model of that op set.
 */
package nnzip.graph;
