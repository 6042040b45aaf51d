using MLNetExtensions.Estimators.Data;

namespace MLNetExtensions.Tests.Data;

/// <summary>Reads the 541,909 raw lines of the shipped Online Retail file once for all the tests of the class.</summary>
public sealed class OnlineRetailFixture
{
    public OnlineRetailFixture()
    {
        Raw = OnlineRetailData.ReadRaw(ShippedData.OnlineRetailPath).ToList();
        Data = new OnlineRetailData(Raw);
    }

    internal IReadOnlyList<OnlineRetailRecord> Raw { get; }

    internal OnlineRetailData Data { get; }
}

public sealed class OnlineRetailDataTests(OnlineRetailFixture fixture) : IClassFixture<OnlineRetailFixture>
{
    private const string Header = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country";

    private OnlineRetailData Data => fixture.Data;

    [Fact]
    public void Every_raw_line_is_read()
    {
        fixture.Raw.Should().HaveCount(541_909);
        fixture.Raw[0].Should().Be(new OnlineRetailRecord(
            "536365", "85123A", "WHITE HANGING HEART T-LIGHT HOLDER", 6, new DateTime(2010, 12, 1, 8, 26, 0), 2.55, 17850, "United Kingdom"));
        fixture.Raw.Count(r => r.CustomerId is null).Should().Be(135_080);
        fixture.Raw.Should().Contain(r => r.Description == "RECORD FRAME 7\" SINGLE SIZE", "a quoted description with a doubled quote");
        fixture.Raw.Should().Contain(r => r.Description == "AIRLINE LOUNGE,METAL SIGN", "a quoted description with a comma");
    }

    [Fact]
    public void Cleaning_keeps_about_397k_lines_from_about_4_3k_customers()
    {
        Data.Records.Count.Should().BeInRange(390_000, 400_000, "the data README says ~397 k lines");
        Data.Records.Select(r => r.StockCode).Distinct().Count().Should().BeInRange(3_600, 3_700, "the README says ~3,660 items");

        // Exact figures of the shipped file with all the cleaning rules (see data/README.md).
        Data.Records.Should().HaveCount(396_470);
        Data.Records.Select(r => r.CustomerId).Distinct().Should().HaveCount(4_334);
        Data.Records.Select(r => r.InvoiceNo).Distinct().Should().HaveCount(18_405);
        Data.Records.Select(r => r.StockCode).Distinct().Should().HaveCount(3_660);
        var purchasesPerItem = Data.Records.GroupBy(r => r.StockCode).Select(g => g.Count()).Order().ToList();
        purchasesPerItem[purchasesPerItem.Count / 2].Should().Be(49, "the README gives a median of 49 purchases per item");
    }

    [Fact]
    public void Without_the_stock_code_rule_the_figures_quoted_for_the_dataset_are_reproduced()
    {
        var kept = fixture.Raw
            .Where(r => !r.InvoiceNo.StartsWith('C') && r.Quantity > 0 && r.UnitPrice > 0 && r.CustomerId is not null)
            .ToList();

        kept.Should().HaveCount(397_884);
        kept.Select(r => r.CustomerId).Distinct().Should().HaveCount(4_338, "the README's 4,338 customers");
        kept.Select(r => r.InvoiceNo).Distinct().Should().HaveCount(18_532, "the README's 18,532 invoices");
    }

    [Fact]
    public void Kept_lines_obey_every_cleaning_rule()
    {
        Data.Records.Should().OnlyContain(r =>
            !r.InvoiceNo.StartsWith('C') && r.Quantity > 0 && r.UnitPrice > 0 && r.CustomerId != null && r.StockCode.Any(char.IsAsciiDigit));
        Data.Records.Should().NotContain(r => r.StockCode == "POST" || r.StockCode == "M" || r.StockCode == "DOT" || r.StockCode == "BANK CHARGES");
    }

    [Fact]
    public void Sessions_are_invoices_in_time_order_with_their_items_in_file_order()
    {
        var sessions = Data.Sessions();

        sessions.Should().HaveCount(18_405);
        sessions.Sum(s => s.Lines.Count).Should().Be(396_470);
        sessions.Should().BeInAscendingOrder(s => s.InvoiceDate);
        sessions[0].InvoiceNo.Should().Be("536365");
        sessions[0].CustomerId.Should().Be(17850);
        sessions[0].StockCodes.Should().Equal("85123A", "71053", "84406B", "84029G", "84029E", "22752", "21730");
        sessions[^1].InvoiceDate.Should().Be(new DateTime(2011, 12, 9, 12, 50, 0));
    }

    [Fact]
    public void Customer_sequences_hold_each_customers_invoices_in_date_order()
    {
        var customers = Data.CustomerSequences();

        customers.Should().HaveCount(4_334);
        customers.Should().BeInAscendingOrder(c => c.CustomerId);
        customers.Sum(c => c.StockCodes.Count).Should().Be(396_470);
        customers.Should().OnlyContain(c => c.Sessions.Zip(c.Sessions.Skip(1), (a, b) => a.InvoiceDate <= b.InvoiceDate).All(ok => ok));
        customers.Should().OnlyContain(c => c.Sessions.All(s => s.CustomerId == c.CustomerId));
        customers[0].CustomerId.Should().Be(12346);
        customers[0].StockCodes.Should().Equal("23166");
    }

    [Theory]
    [InlineData("85123A", "85123")]
    [InlineData("15056BL", "15056")]
    [InlineData("84029g", "84029")]
    [InlineData("22423", "22423")]
    [InlineData("C2", "C2")]
    [InlineData("DCGS0003", "DCGS0003")]
    [InlineData("POST", "POST")]
    public void The_product_family_is_the_code_without_trailing_letters(string stockCode, string family)
    {
        OnlineRetailData.ProductFamily(stockCode).Should().Be(family);
    }

    [Fact]
    public void Items_fall_into_fewer_product_families()
    {
        Data.Records.Select(r => OnlineRetailData.ProductFamily(r.StockCode)).Distinct().Should().HaveCount(3_194);
    }

    [Fact]
    public void The_cleaning_rules_are_applied_to_a_small_file()
    {
        using var files = new TemporaryDataFiles();
        var path = files.WriteText("retail.csv", string.Join("\r\n",
            Header,
            "536365,85123A,KEPT,6,2010-12-01 08:26:00,2.55,17850,United Kingdom",
            "C536379,85123A,CANCELLED,-1,2010-12-01 09:41:00,2.55,17850,United Kingdom",
            "536366,85123A,ZERO QUANTITY,0,2010-12-01 08:28:00,2.55,17850,United Kingdom",
            "536367,85123A,FREE,1,2010-12-01 08:34:00,0,17850,United Kingdom",
            "536368,85123A,NO CUSTOMER,1,2010-12-01 08:34:00,2.55,,United Kingdom",
            "536369,85123A,NA CUSTOMER,1,2010-12-01 08:34:00,2.55,NA,United Kingdom",
            "536370,POST,POSTAGE,3,2010-12-01 08:45:00,18,12583,France",
            "536370,22728,\"ALARM CLOCK, PINK\",24,2010-12-01 08:45:00,3.75,12583,France",
            ""));

        var data = OnlineRetailData.Load(path);

        data.Records.Select(r => r.Description).Should().Equal("KEPT", "ALARM CLOCK, PINK");
        OnlineRetailData.ReadRaw(path).Should().HaveCount(8);
        data.Sessions().Select(s => s.InvoiceNo).Should().Equal("536365", "536370");
    }

    [Theory]
    [InlineData("536365,85123A,X,6,01/12/2010 08:26,2.55,17850,United Kingdom", "retail.csv, line 2: column 'InvoiceDate': expected a date and time formatted 'yyyy-MM-dd HH:mm:ss', found '01/12/2010 08:26'")]
    [InlineData("536365,85123A,X,six,2010-12-01 08:26:00,2.55,17850,United Kingdom", "retail.csv, line 2: column 'Quantity': expected a 32-bit integer, found 'six'")]
    [InlineData("536365,85123A,X,6,2010-12-01 08:26:00,2.55,17850.5,United Kingdom", "retail.csv, line 2: column 'CustomerID': expected a 32-bit integer, found '17850.5'")]
    [InlineData("536365,,X,6,2010-12-01 08:26:00,2.55,17850,United Kingdom", "retail.csv, line 2: column 'StockCode': expected a non-empty value, found ''")]
    [InlineData("536365,85123A,\"X\"Y,6,2010-12-01 08:26:00,2.55,17850,United Kingdom", "retail.csv, line 2: expected a comma or the end of the line after the closing quote*")]
    [InlineData("536365,85123A,X,6,2010-12-01 08:26:00,2.55,17850", "retail.csv, line 2: expected 8 comma-separated fields as in the header, found 7")]
    public void A_malformed_line_is_an_error_not_a_dropped_line(string line, string message)
    {
        using var files = new TemporaryDataFiles();
        var path = files.WriteText("retail.csv", Header + "\n" + line + "\n");

        var act = () => OnlineRetailData.Load(path);

        act.Should().Throw<InvalidDataException>().WithMessage(message);
    }

    [Fact]
    public void A_missing_file_is_a_file_not_found_error_with_the_path()
    {
        using var files = new TemporaryDataFiles();
        var missing = files.Missing("retail.csv.gz");

        FluentActions.Invoking(() => OnlineRetailData.ReadRaw(missing))
            .Should().Throw<FileNotFoundException>().Where(e => e.FileName == missing);
    }
}
