/** HOCON recipes (Typesafe Config) read once at the edge and turned into typed settings. */
package nnzip.config;
