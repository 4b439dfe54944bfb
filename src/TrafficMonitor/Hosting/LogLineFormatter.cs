using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace TrafficMonitor.Hosting;

/// <summary>
/// One line per event, as the runtime's simple console formatter writes it with <c>SingleLine</c> and a local
/// timestamp (<c>2026-11-30 07:18:07 info: Category[611] message</c>, the level coloured on a terminal), or, when
/// stderr is the systemd journal, as its systemd formatter does (<c>&lt;6&gt;Category[611] message</c>: the syslog
/// priority first, no timestamp; the journal keeps its own). Ours rather than the runtime's because those are
/// internal types only a service container can build, and building one was a third of a short command's start-up
/// in the native binary (see <see cref="ConsoleLogging.CreateFactory"/>).
/// </summary>
public sealed class LogLineFormatter(bool journal) : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "traffic-monitor";
    private const string TimestampFormat = "yyyy-MM-dd HH:mm:ss ";

    private static readonly Lazy<bool> Colours = new(EmitAnsiColourCodes);

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (logEntry.Exception is null && message is null)
        {
            return;
        }

        if (journal)
        {
            textWriter.Write(SyslogPriority(logEntry.LogLevel));
            textWriter.Write(logEntry.Category);
        }
        else
        {
            textWriter.Write(TimeProvider.System.GetLocalNow().ToString(TimestampFormat, CultureInfo.CurrentCulture));
            WriteLevel(textWriter, logEntry.LogLevel);
            textWriter.Write(": ");
            textWriter.Write(logEntry.Category);
        }

        textWriter.Write('[');
        textWriter.Write(logEntry.EventId.Id);
        textWriter.Write(']');
        WriteOnOneLine(textWriter, message);
        WriteOnOneLine(textWriter, logEntry.Exception?.ToString());
        textWriter.Write(Environment.NewLine);
    }

    private static void WriteOnOneLine(TextWriter textWriter, string? text)
    {
        if (!string.IsNullOrEmpty(text))
        {
            textWriter.Write(' ');
            textWriter.Write(text.Replace(Environment.NewLine, " ", StringComparison.Ordinal));
        }
    }

    /// <summary>'Syslog Message Severities' of RFC 5424.</summary>
    private static string SyslogPriority(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => "<7>",
        LogLevel.Information => "<6>",
        LogLevel.Warning => "<4>",
        LogLevel.Error => "<3>",
        LogLevel.Critical => "<2>",
        _ => throw new ArgumentOutOfRangeException(nameof(level)),
    };

    /// <summary>The level's four letters, in the runtime's colours (background, foreground, text, then both reset).</summary>
    private static void WriteLevel(TextWriter textWriter, LogLevel level)
    {
        var (text, background, foreground) = level switch
        {
            LogLevel.Trace => ("trce", "\e[40m", "\e[37m"),
            LogLevel.Debug => ("dbug", "\e[40m", "\e[37m"),
            LogLevel.Information => ("info", "\e[40m", "\e[32m"),
            LogLevel.Warning => ("warn", "\e[40m", "\e[1m\e[33m"),
            LogLevel.Error => ("fail", "\e[41m", "\e[30m"),
            LogLevel.Critical => ("crit", "\e[41m", "\e[1m\e[37m"),
            _ => throw new ArgumentOutOfRangeException(nameof(level)),
        };
        if (!Colours.Value)
        {
            textWriter.Write(text);
            return;
        }

        textWriter.Write(background);
        textWriter.Write(foreground);
        textWriter.Write(text);
        textWriter.Write("\e[39m\e[22m");
        textWriter.Write("\e[49m");
    }

    /// <summary>The runtime's rule: colours when stdout is a terminal and <c>NO_COLOR</c> is unset, or when redirection is allowed them.</summary>
    private static bool EmitAnsiColourCodes()
    {
        if (!Console.IsOutputRedirected)
        {
            return Environment.GetEnvironmentVariable("NO_COLOR") is null;
        }

        var allow = Environment.GetEnvironmentVariable("DOTNET_SYSTEM_CONSOLE_ALLOW_ANSI_COLOR_REDIRECTION");
        return allow is not null && (allow == "1" || allow.Equals("true", StringComparison.OrdinalIgnoreCase));
    }
}
