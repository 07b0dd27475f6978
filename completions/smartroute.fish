# fish completion for smartroute(1). Install as
# /usr/share/fish/vendor_completions.d/smartroute.fish or ~/.config/fish/completions/.
# Keep in step with the command table in cmd/main.cpp; tests/integration/docs_coverage.sh
# checks that every command and option appears here.

# Directories, and the files ending in one of the given suffixes.
function __smartroute_complete_files -d 'Directories and files with one of the given suffixes'
    set -l files (complete -C "__fish_command_without_completions "(commandline -ct))
    string match -r -- '.*/$' $files
    for suffix in $argv
        string match -r -- '.*'(string escape --style=regex -- $suffix)'$' $files
    end
end

set -l commands config demo-data import sync score explain warm cache say preview serve-agi report doctor
# Not __fish_use_subcommand: it would take the FILE of "--config FILE" for the command.
set -l no_command "not __fish_seen_subcommand_from $commands"

complete -c smartroute -f

# Global options, accepted before and after the command.
complete -c smartroute -l config -r -f -a '(__smartroute_complete_files .toml)' -d 'Configuration file'
complete -c smartroute -l state-dir -r -f -a '(__fish_complete_directories)' -d 'Directory of the store and the audio cache'
complete -c smartroute -s v -l verbose -d 'Say more (repeatable)'
complete -c smartroute -s q -l quiet -d 'Print only errors'
complete -c smartroute -l json -d 'Print one JSON document on stdout'
complete -c smartroute -s h -l help -d 'Print help and exit'
complete -c smartroute -n $no_command -l version -d 'Print the version and exit'

# Commands.
complete -c smartroute -n $no_command -a config -d 'Check the configuration, or show every value with its origin'
complete -c smartroute -n $no_command -a demo-data -d 'Generate a realistic demo dataset'
complete -c smartroute -n $no_command -a import -d 'Import employees, clients, interactions and CDRs from files'
complete -c smartroute -n $no_command -a score -d "Rank each client's responsible employees and store the result"
complete -c smartroute -n $no_command -a explain -d 'Show why a caller hears what they hear'
complete -c smartroute -n $no_command -a warm -d 'Synthesise every phrase the audio cache lacks'
complete -c smartroute -n $no_command -a cache -d 'Audio cache status, verification and garbage collection'
complete -c smartroute -n $no_command -a say -d 'Speak one phrase into a WAV file'
complete -c smartroute -n $no_command -a preview -d 'Let a person hear what a caller hears (WAV file, here, or on a phone)'
complete -c smartroute -n $no_command -a serve-agi -d 'The FastAGI server Asterisk asks, per call, whom to connect'
complete -c smartroute -n $no_command -a report -d 'What callers chose: results, modes, employees, session times'
complete -c smartroute -n $no_command -a doctor -d 'Check the installation, one line per check with the fix'

# config check [FILE] | config show
set -l config_sub '__fish_seen_subcommand_from config; and not __fish_seen_subcommand_from check show'
complete -c smartroute -n $config_sub -a check -d 'Validate a configuration file, reporting every problem'
complete -c smartroute -n $config_sub -a show -d 'Print every effective value and where it came from'
complete -c smartroute -n '__fish_seen_subcommand_from config; and __fish_seen_subcommand_from check' \
    -a '(__smartroute_complete_files .toml)'

# demo-data
set -l demo '__fish_seen_subcommand_from demo-data'
complete -c smartroute -n $demo -l out -r -f -a '(__fish_complete_directories)' -d 'Directory to write into'
complete -c smartroute -n $demo -l employees -x -d 'Number of employees'
complete -c smartroute -n $demo -l clients -x -d 'Number of clients'
complete -c smartroute -n $demo -l interactions -x -d 'Number of interaction documents'
complete -c smartroute -n $demo -l cdr-calls -x -d 'Rows in cdr/Master.csv'
complete -c smartroute -n $demo -l seed -x -d 'Random seed'
complete -c smartroute -n $demo -l end -x -d 'Time of the newest event, ISO 8601'

# sync
set -l sync '__fish_seen_subcommand_from sync'
complete -c smartroute -n $no_command -a sync -d 'Bring employees, clients and documents from 1C into the store'
complete -c smartroute -n $sync -l check -d "Compare the mapping with 1C's \$metadata, change nothing"
complete -c smartroute -n $sync -s n -l dry-run -d 'Report what would change, change nothing'

# import
set -l import '__fish_seen_subcommand_from import'
set -l data '(__smartroute_complete_files .csv .jsonl .ndjson)'
complete -c smartroute -n $import -l employees -r -f -a $data -d 'Employees file'
complete -c smartroute -n $import -l clients -r -f -a $data -d 'Clients file with their phones'
complete -c smartroute -n $import -l interactions -r -f -a $data -d 'Interaction documents'
complete -c smartroute -n $import -l cdr -r -f -a '(__smartroute_complete_files .csv)' -d 'Asterisk cdr-csv Master.csv'
complete -c smartroute -n $import -l skip-invalid -d 'Import the valid rows, report each invalid one'

# score
set -l score '__fish_seen_subcommand_from score'
complete -c smartroute -n $score -l at -x -d 'Score as of this time, ISO 8601 (default now)'
complete -c smartroute -n $score -l full -d 'Rescore every client'

# explain PHONE: a number to type (no file completion: "complete -c smartroute -f" above)
set -l explain '__fish_seen_subcommand_from explain'
complete -c smartroute -n $explain -l at -x -d 'Explain the call as if it came at this time, ISO 8601'

# warm
set -l warm '__fish_seen_subcommand_from warm'
complete -c smartroute -n $warm -l dry-run -d 'List what is missing with requests, characters and cost'
complete -c smartroute -n $warm -l concurrency -x -d 'Requests at once (default tts.concurrency)'

# cache status | cache verify | cache gc [--dry-run]
set -l cache_sub '__fish_seen_subcommand_from cache; and not __fish_seen_subcommand_from status verify gc'
complete -c smartroute -n $cache_sub -a status -d 'Files, bytes, and phrases of the catalogue that are missing'
complete -c smartroute -n $cache_sub -a verify -d 'Decode every cached file and check its format'
complete -c smartroute -n $cache_sub -a gc -d 'Remove files no current phrase references'
complete -c smartroute -n '__fish_seen_subcommand_from cache; and __fish_seen_subcommand_from gc' \
    -l dry-run -d 'Only say what would be removed'

# say TEXT -o FILE: a phrase to type (no file completion but for the output)
set -l say '__fish_seen_subcommand_from say'
complete -c smartroute -n $say -s o -l output -r -F -d 'WAV file to write'
complete -c smartroute -n $say -l engine -x -a 'espeak command yandex speechpro' -d 'Engine instead of tts.engine'
complete -c smartroute -n $say -l voice -x -d 'Voice instead of tts.voice'

# preview PHONE [-o FILE] [--play] [--call EXT]
set -l preview '__fish_seen_subcommand_from preview'
complete -c smartroute -n $preview -s o -l output -r -F -d 'WAV file to write (8 kHz)'
complete -c smartroute -n $preview -l at -x -d 'Render the call as if it came at this time, ISO 8601'
complete -c smartroute -n $preview -l play -d 'Play it here with paplay or aplay'
complete -c smartroute -n $preview -l call -x -d 'Have the PBX ring this extension and play it there ([ami])'

# serve-agi
set -l serve '__fish_seen_subcommand_from serve-agi'
complete -c smartroute -n $serve -l listen -x -a '127.0.0.1 ::1 0.0.0.0 ::' -d 'Address to listen on (default agi.listen)'
complete -c smartroute -n $serve -l port -x -d 'TCP port (default agi.port, 4574; FreePBX uses 4573)'
complete -c smartroute -n $serve -l foreground -d 'Stay in the foreground (always the case)'
complete -c smartroute -n $serve -l drain -x -d 'Seconds running calls may finish after SIGTERM (default 10)'

# report
set -l report '__fish_seen_subcommand_from report'
complete -c smartroute -n $report -l since -x -a '24h 7d 30d' -d 'First call to count: date, time or time ago (default 7d)'
complete -c smartroute -n $report -l until -x -a '24h 7d 30d' -d 'End of the period, not included (default now)'
complete -c smartroute -n $report -l csv -d 'Print the per-employee table as CSV'

# doctor
set -l doctor '__fish_seen_subcommand_from doctor'
complete -c smartroute -n $doctor -l timeout -x -d 'Seconds each check may take (default 10)'
complete -c smartroute -n $doctor -l pbx-user -x -a '(__fish_complete_users)' -d 'The user Asterisk runs as (default asterisk)'
complete -c smartroute -n $doctor -l paid-check -d 'Also verify keys only a billed request can verify'
