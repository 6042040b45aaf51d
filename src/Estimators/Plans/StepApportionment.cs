namespace MLNetExtensions.Estimators.Plans;

/// <summary>
/// Splits a whole number of steps into parts proportional to weights so that the parts add up to the total exactly
/// (largest-remainder method). Every part gets at least one step. Deterministic: equal remainders go to the earlier
/// part, and a part raised to one step takes it from the largest part (the earliest of equals).
/// </summary>
internal static class StepApportionment
{
    /// <summary>The parts of <paramref name="total"/> for <paramref name="weights"/>.</summary>
    /// <param name="total">The steps to split; at least the number of weights.</param>
    /// <param name="weights">Positive weights, one per part (they need not add up to 1).</param>
    public static int[] Split(int total, IReadOnlyList<decimal> weights)
    {
        int count = weights.Count;
        if (count == 0)
        {
            throw new ArgumentException("At least one weight is needed.", nameof(weights));
        }

        if (total < count)
        {
            throw new ArgumentOutOfRangeException(nameof(total), total, $"{total} steps cannot give each of {count} parts a step.");
        }

        decimal sum = 0;
        foreach (decimal weight in weights)
        {
            if (weight <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(weights), weight, "Weights must be positive.");
            }

            sum += weight;
        }

        var parts = new int[count];
        var remainders = new decimal[count];
        int assigned = 0;
        for (int i = 0; i < count; i++)
        {
            decimal quota = total * weights[i] / sum;
            decimal whole = decimal.Floor(quota);
            parts[i] = (int)whole;
            remainders[i] = quota - whole;
            assigned += parts[i];
        }

        // The floors add up to at most the total (their quotas add up to it); the steps left go to the largest
        // remainders, ties to the earlier part.
        var byRemainder = Enumerable.Range(0, count).OrderByDescending(i => remainders[i]).ThenBy(i => i).ToArray();
        for (int k = 0; assigned < total; k = (k + 1) % count)
        {
            parts[byRemainder[k]]++;
            assigned++;
        }

        for (int i = 0; i < count; i++)
        {
            while (parts[i] == 0)
            {
                int largest = 0;
                for (int j = 1; j < count; j++)
                {
                    if (parts[j] > parts[largest])
                    {
                        largest = j;
                    }
                }

                parts[largest]--;
                parts[i]++;
            }
        }

        return parts;
    }
}
