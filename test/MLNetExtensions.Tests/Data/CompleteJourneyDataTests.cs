using MLNetExtensions.Estimators.Data;

namespace MLNetExtensions.Tests.Data;

/// <summary>Reads the shipped Complete Journey files once for all the tests of the class.</summary>
public sealed class CompleteJourneyFixture
{
    internal CompleteJourneyData Data { get; } = CompleteJourneyData.Load();
}

public sealed class CompleteJourneyDataTests(CompleteJourneyFixture fixture) : IClassFixture<CompleteJourneyFixture>
{
    private const string TransactionsHeader =
        "household_id,store_id,basket_id,product_id,quantity,sales_value,retail_disc,coupon_disc,coupon_match_disc,week,transaction_timestamp";

    private const string ProductsHeader = "product_id,manufacturer_id,department,brand,product_category,product_type,package_size";

    private CompleteJourneyData Data => fixture.Data;

    [Fact]
    public void The_transaction_sample_has_75000_lines_from_2377_households_at_293_stores()
    {
        Data.Transactions.Should().HaveCount(75_000);
        Data.Transactions.Select(t => t.HouseholdId).Distinct().Should().HaveCount(2_377);
        Data.Transactions.Select(t => t.StoreId).Distinct().Should().HaveCount(293);
        Data.Transactions[0].Should().Be(new CompleteJourneyTransaction(
            2261, 309, 31625220889, 940996, 1.0, 3.86, 0.43, 0.0, 0.0, 5, new DateTime(2017, 1, 28, 19, 6, 53)));
    }

    [Fact]
    public void Ids_written_in_exponent_notation_are_read_exactly()
    {
        Data.Transactions.Should().ContainSingle(t => t.BasketId == 40_128_000_000, "the file writes this basket id as 4.0128e+10");
        Data.ProductsById.Should().ContainKey(900_000, "the file writes this product id as 9e+05");
    }

    [Fact]
    public void The_product_table_has_92331_products_with_their_attributes()
    {
        Data.Products.Should().HaveCount(92_331);
        Data.ProductsById[25671].Should().Be(new CompleteJourneyProduct(25671, 2, "GROCERY", "National", "FRZN ICE", "ICE - CRUSHED/CUBED", "22 LB"));
        Data.ProductsById[26081].Should().Be(new CompleteJourneyProduct(26081, 2, "MISCELLANEOUS", "National", "", "", ""));
        Data.Products.Select(p => p.Brand).Distinct().Should().BeEquivalentTo("National", "Private");
        Data.Products.Count(p => p.ProductCategory.Length == 0).Should().Be(540);
    }

    [Fact]
    public void The_item_attribute_map_covers_every_product()
    {
        Data.ItemAttributes.Should().HaveCount(92_331);
        Data.ItemAttributes[25671].Should().Be(new CompleteJourneyItemAttributes(2, "GROCERY", "National", "FRZN ICE", "ICE - CRUSHED/CUBED"));
        Data.Transactions.Count(t => !Data.ItemAttributes.ContainsKey(t.ProductId))
            .Should().Be(222, "a few sampled lines name products missing from the shipped product table");
    }

    [Fact]
    public void Baskets_group_the_lines_and_are_ordered_by_time()
    {
        var baskets = Data.Baskets();

        baskets.Should().HaveCount(47_243);
        baskets.Sum(b => b.ProductIds.Count).Should().Be(75_000);
        baskets.Should().BeInAscendingOrder(b => b.Timestamp);
        baskets[0].Should().BeEquivalentTo(new { BasketId = 31198705046L, Timestamp = new DateTime(2017, 1, 1, 12, 30, 27), ProductIds = new[] { 1075313 } });
        baskets.Single(b => b.BasketId == 34137466882).ProductIds.Should().Equal(
            822936, 915621, 935342, 12302069, 859730, 825970, 5585186, 897410, 1014810, 1022981, 1108488, 1085201);
        Data.Baskets().Should().BeSameAs(baskets, "baskets are computed once");
    }

    [Fact]
    public void Quoted_fields_and_reordered_columns_are_read()
    {
        using var files = new TemporaryDataFiles();
        var products = files.WriteGzip("p.csv.gz",
            "package_size,product_id,manufacturer_id,department,brand,product_category,product_type\r\n" +
            "\"12 OZ\",7,3,\"DELI, HOT\",Private,\"SAY \"\"CHEESE\"\"\",\r\n");

        CompleteJourneyData.ReadProducts(products).Should().Equal(
            new CompleteJourneyProduct(7, 3, "DELI, HOT", "Private", "SAY \"CHEESE\"", "", "12 OZ"));
    }

    [Theory]
    [InlineData("1,2,3,4,1.0,3.86,0.43,0.0,0.0,5\n", "t.csv, line 3: expected 11 comma-separated fields as in the header, found 10")]
    [InlineData("1,2,3,four,1.0,3.86,0.43,0.0,0.0,5,2017-01-28T19:06:53\n", "t.csv, line 3: column 'product_id': expected a 32-bit integer, found 'four'")]
    [InlineData("1,2,3,4,1.0,3.86,0.43,0.0,0.0,5,28/01/2017\n", "t.csv, line 3: column 'transaction_timestamp': expected a date and time formatted*found '28/01/2017'")]
    [InlineData("1,2,3,4,1.0,\"3.86,0.43,0.0,0.0,5,2017-01-28T19:06:53\n", "t.csv, line 3: the quoted field opened at column 13 is not closed on this line")]
    [InlineData("1,2,3,4,1.5e,3.86,0.43,0.0,0.0,5,2017-01-28T19:06:53\n", "t.csv, line 3: column 'quantity': expected a number, found '1.5e'")]
    [InlineData("1,2,3.5,4,1.0,3.86,0.43,0.0,0.0,5,2017-01-28T19:06:53\n", "t.csv, line 3: column 'basket_id': expected an integer, found '3.5'")]
    public void A_bad_row_is_an_error_with_file_line_and_expectation(string badRow, string message)
    {
        using var files = new TemporaryDataFiles();
        var path = files.WriteText("t.csv", TransactionsHeader + "\n" + "9,9,9,9,1.0,1.0,0.0,0.0,0.0,1,2017-01-01T00:00:00\n" + badRow);

        var act = () => CompleteJourneyData.ReadTransactions(path).ToList();

        act.Should().Throw<InvalidDataException>().WithMessage(message);
    }

    [Fact]
    public void A_header_without_a_needed_column_is_an_error_naming_it()
    {
        using var files = new TemporaryDataFiles();
        var path = files.WriteText("p.csv", ProductsHeader.Replace(",brand", ",label", StringComparison.Ordinal) + "\n1,2,X,Y,Z,W,V\n");

        var act = () => CompleteJourneyData.ReadProducts(path).ToList();

        act.Should().Throw<InvalidDataException>().WithMessage("p.csv, line 1: expected a header with the column(s) brand;*");
    }

    [Fact]
    public void An_empty_file_and_a_duplicate_product_are_errors()
    {
        using var files = new TemporaryDataFiles();
        var empty = files.WriteText("empty.csv", string.Empty);
        var duplicate = files.WriteText("dup.csv", ProductsHeader + "\n1,2,A,National,,,\n1,3,B,Private,,,\n");

        FluentActions.Invoking(() => CompleteJourneyData.ReadProducts(empty).ToList())
            .Should().Throw<InvalidDataException>().WithMessage("empty.csv, line 1: the file is empty*");
        FluentActions.Invoking(() => new CompleteJourneyData([], CompleteJourneyData.ReadProducts(duplicate)))
            .Should().Throw<InvalidDataException>().WithMessage("*product_id 1 twice*");
    }

    [Fact]
    public void A_missing_file_is_reported_at_the_call_with_its_path()
    {
        using var files = new TemporaryDataFiles();
        var missing = files.Missing("none.csv.gz");

        FluentActions.Invoking(() => CompleteJourneyData.ReadTransactions(missing))
            .Should().Throw<FileNotFoundException>().Where(e => e.FileName == missing);
        FluentActions.Invoking(() => CompleteJourneyData.Load(ShippedData.CompleteJourneyTransactionsPath, missing))
            .Should().Throw<FileNotFoundException>().Where(e => e.FileName == missing);
    }
}
