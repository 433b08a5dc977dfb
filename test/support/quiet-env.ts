// Tests read assertions, not logs: Powertools stays quiet unless LOG_LEVEL asks otherwise.
process.env.POWERTOOLS_LOG_LEVEL ??= process.env.LOG_LEVEL ?? 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
