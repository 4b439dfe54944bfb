using Microsoft.Extensions.Logging;

namespace TrafficMonitor.Hosting;

/// <summary>
/// The console loggers of a short command (<see cref="ConsoleLogging.CreateFactory"/>, the same lines), built when the
/// first line is written: most runs of <c>status</c> or <c>check-config</c> log nothing, and the console provider
/// starts its writer thread and opens stderr as soon as it exists.
/// </summary>
public sealed class DeferredConsoleLoggers(LogLevel minimumLevel) : ILoggerFactory
{
    private readonly Lock _lock = new();
    private ILoggerFactory? _factory;

    private ILoggerFactory Factory
    {
        get
        {
            lock (_lock)
            {
                return _factory ??= ConsoleLogging.CreateFactory(minimumLevel);
            }
        }
    }

    public LogLevel MinimumLevel => minimumLevel;

    public ILogger CreateLogger(string categoryName) => new Deferred(this, categoryName);

    public void AddProvider(ILoggerProvider provider) => Factory.AddProvider(provider);

    public void Dispose()
    {
        lock (_lock)
        {
            _factory?.Dispose();
        }
    }

    /// <summary>
    /// Answers <see cref="IsEnabled"/> from the minimum level alone (the real logger filters again, and is stricter
    /// only for the framework's own categories), so a disabled message never builds the console provider.
    /// </summary>
    private sealed class Deferred(DeferredConsoleLoggers owner, string category) : ILogger
    {
        private ILogger? _logger;

        private ILogger Logger => _logger ??= owner.Factory.CreateLogger(category);

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => Logger.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= owner.MinimumLevel;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                Logger.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
