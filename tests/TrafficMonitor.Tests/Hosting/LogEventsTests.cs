using System.Reflection;
using Microsoft.Extensions.Logging;
using TrafficMonitor.Hosting;

namespace TrafficMonitor.Tests.Hosting;

// Operators filter journald and log pipelines by event id, so an id must keep its meaning forever.
public sealed class LogEventsTests
{
    private static readonly FieldInfo[] Constants = typeof(LogEvents)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral)
        .ToArray();

    [Fact]
    public void Registry_EveryConstant_HasItsOwnId()
    {
        var shared = Constants
            .GroupBy(Id)
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(f => f.Name))}");

        AssertNone("ids shared by two constants", shared);
    }

    [Fact]
    public void LoggerMessage_EveryEventId_IsInTheRegistry()
    {
        var ids = Constants.Select(Id).ToHashSet();

        var unregistered = LoggerMessages()
            .Where(m => !ids.Contains(m.Attribute.EventId))
            .Select(m => $"{m.Name}: EventId {m.Attribute.EventId}");

        AssertNone("[LoggerMessage] ids missing from LogEvents", unregistered);
    }

    // The same event may be logged from two places, but only with the same template; another text is another event.
    [Fact]
    public void LoggerMessage_OneEventId_HasOneMessageTemplate()
    {
        var reused = LoggerMessages()
            .GroupBy(m => m.Attribute.EventId)
            .Where(g => g.Select(m => m.Attribute.Message).Distinct(StringComparer.Ordinal).Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Name))}");

        AssertNone("ids logged with different message templates", reused);
    }

    // A retired event keeps its constant, marked [Obsolete], so that its number stays taken and nothing logs it.
    [Fact]
    public void Registry_EveryConstantNotRetired_IsLogged()
    {
        var logged = LoggerMessages().Select(m => m.Attribute.EventId).ToHashSet();

        var wrong = Constants
            .Where(f => logged.Contains(Id(f)) == f.IsDefined(typeof(ObsoleteAttribute)))
            .Select(f => f.IsDefined(typeof(ObsoleteAttribute)) ? $"{f.Name} ({Id(f)}) is retired but logged" : $"{f.Name} ({Id(f)}) is logged nowhere: if the event is retired, mark it [Obsolete]");

        AssertNone("constants whose retirement does not match their use", wrong);
    }

    private static void AssertNone(string what, IEnumerable<string> problems)
    {
        var list = problems.ToList();
        if (list.Count > 0)
            Assert.Fail($"{what}:\n{string.Join("\n", list)}");
    }

    private static int Id(FieldInfo constant) => (int)constant.GetRawConstantValue()!;

    private static List<(string Name, LoggerMessageAttribute Attribute)> LoggerMessages()
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var messages = typeof(LogEvents).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(all))
            .Select(m => (Name: $"{m.DeclaringType!.FullName}.{m.Name}", Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(m => m.Attribute is not null)
            .Select(m => (m.Name, m.Attribute!))
            .ToList();
        Assert.NotEmpty(messages);
        return messages;
    }
}
