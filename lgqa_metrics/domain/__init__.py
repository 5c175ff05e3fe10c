"""The domain, beneath everything else and importing nothing of the project above it: text normalisation
(:mod:`.textnorm`), the rating scale (:mod:`.ratings`), the indicator catalogue (:mod:`.catalogue`), the unit
registry (:mod:`.units`), validation issues and their codes (:mod:`.issues`), roles (:mod:`.roles`), messages in
both languages (:mod:`.i18n`), numbers and dates (:mod:`.formatting`), settings (:mod:`.settings`) and where data
files live (:mod:`.paths`)."""
