namespace MLNetExtensions.Estimators.Data;

/// <summary>
/// Fashion-MNIST (Zalando, MIT licence) from its IDX files, as sequences: each 28 × 28 image is 28 steps (its rows)
/// of 28 features (pixel values scaled to [0, 1]) — "sequential Fashion-MNIST". The Debian package
/// <c>dataset-fashion-mnist</c> installs the files in <see cref="DebianDirectory"/>; nothing is downloaded.
/// </summary>
internal static class FashionMnist
{
    /// <summary>Where the Debian package <c>dataset-fashion-mnist</c> puts the files.</summary>
    public const string DebianDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>Steps (image rows) and features per step (pixels per row).</summary>
    public const int Side = 28;

    /// <summary>The ten classes, in label order.</summary>
    public static IReadOnlyList<string> ClassNames { get; } = new[]
    {
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    };

    /// <summary>The image and label files of a split: <c>train-*</c> or <c>t10k-*</c>, <c>.gz</c> or plain.</summary>
    /// <param name="directory">The folder holding the files.</param>
    /// <param name="train">The training split (60,000 images) or the test split (10,000).</param>
    public static (string Images, string Labels) Files(string directory, bool train)
    {
        string prefix = train ? "train" : "t10k";
        return (Find(directory, $"{prefix}-images-idx3-ubyte"), Find(directory, $"{prefix}-labels-idx1-ubyte"));
    }

    /// <summary>Whether both splits' files are in <paramref name="directory"/>.</summary>
    /// <param name="directory">The folder.</param>
    public static bool IsAvailable(string directory = DebianDirectory) =>
        new[] { true, false }.All(train => Files(directory, train) is var (images, labels) && File.Exists(images) && File.Exists(labels));

    /// <summary>
    /// Reads a split as sequence rows (<see cref="SequenceRow.Label"/> = the class name). With <paramref name="count"/>, a
    /// seeded uniform subset of that many images, in the order the seed gives.
    /// </summary>
    /// <param name="directory">The folder holding the IDX files.</param>
    /// <param name="train">The training split or the test split.</param>
    /// <param name="count">How many images, or null for all.</param>
    /// <param name="seed">The seed of the subset.</param>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    /// <exception cref="InvalidDataException">The files are not 28 × 28 images with one label in 0–9 each.</exception>
    public static IReadOnlyList<SequenceRow> Read(string directory, bool train, int? count = null, int seed = 0)
    {
        var (imagePath, labelPath) = Files(directory, train);
        var (imageShape, pixels) = IdxFile.Read(imagePath);
        var (labelShape, labels) = IdxFile.Read(labelPath);
        if (imageShape.Length != 3 || imageShape[1] != Side || imageShape[2] != Side)
        {
            throw new InvalidDataException($"{Path.GetFileName(imagePath)}: expected images of {Side} × {Side} pixels, found dimensions [{string.Join(", ", imageShape)}].");
        }

        if (labelShape.Length != 1 || labelShape[0] != imageShape[0])
        {
            throw new InvalidDataException($"{Path.GetFileName(labelPath)}: expected one label per image ({imageShape[0]}), found dimensions [{string.Join(", ", labelShape)}].");
        }

        var order = Enumerable.Range(0, imageShape[0]).ToArray();
        if (count is int wanted)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(wanted, 1, nameof(count));
            new Random(seed).Shuffle(order);
            order = order.Take(Math.Min(wanted, order.Length)).ToArray();
        }

        const int size = Side * Side;
        return order.Select(i =>
        {
            if (labels[i] >= ClassNames.Count)
            {
                throw new InvalidDataException($"{Path.GetFileName(labelPath)}: label {labels[i]} of image {i} is not a class 0–{ClassNames.Count - 1}.");
            }

            var features = new float[size];
            for (int p = 0; p < size; p++)
            {
                features[p] = pixels[((long)i * size) + p] / 255f;
            }

            return new SequenceRow { Label = ClassNames[labels[i]], Features = features };
        }).ToList();
    }

    private static string Find(string directory, string name)
    {
        string plain = Path.Combine(directory, name);
        return File.Exists(plain) ? plain : plain + ".gz";
    }
}
