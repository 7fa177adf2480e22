/** The demo: a real model trained on real data, compressed on embedded Spark, evaluated before and after. */
package nnzip.demo;
