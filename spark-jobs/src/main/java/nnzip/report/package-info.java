/** What people and programs read after a run: tables, JSON summaries. */
package nnzip.report;
