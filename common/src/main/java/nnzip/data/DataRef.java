package nnzip.data;

/**
 * A data set by reference, so executors load the same examples the driver planned with: the
 * {@code --data} argument, the validation share and the split seed. Loading is deterministic.
 *
 * @param spec a dataset name ({@code fashion-mnist}) or a Hadoop path
 * @param validation share of the training set held out for validation, in (0, 1)
 * @param seed seed of the split
 * @param examples use only the first this many training examples (0 = all), for quick runs
 */
public record DataRef(String spec, double validation, long seed, int examples) implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  /**
   * Seed of the validation split in every command ({@code train}, {@code eval}, finetuning in
   * {@code compress}): the split is a property of the data, not of a run's seed, so finetuning a model
   * that {@code train} made never validates on examples it was trained on.
   */
  public static final long SPLIT_SEED = 1;

  /** Checks the limit. */
  public DataRef {
    if (examples < 0) {
      throw new IllegalArgumentException("examples must be ≥ 0, got " + examples);
    }
  }

  /** All training examples. */
  public DataRef(String spec, double validation, long seed) {
    this(spec, validation, seed, 0);
  }

  /** The split every command shares ({@link #SPLIT_SEED}). */
  public static DataRef standard(String spec, double validation, int examples) {
    return new DataRef(spec, validation, SPLIT_SEED, examples);
  }

  /** The training set split into the part trained on and the validation part (loads the data). */
  public Dataset.Split split() {
    return split(load());
  }

  /** The training set of {@code loaded} (what {@link #load} gave) split as this reference says. */
  public Dataset.Split split(Datasets loaded) {
    Dataset train = loaded.train();
    return (examples > 0 && examples < train.n() ? train.head(examples) : train).split(validation, seed);
  }

  /** Loads train and test sets; callers that need several parts load once and keep the result. */
  public Datasets load() {
    return DataSource.load(spec);
  }
}
