"""Pydantic models shared by every layer; each family lives in its own module."""

from bot.models.answer import (
    Answer,
    DataRow,
    TableRow,
)
from bot.models.charts import (
    ChartBar,
    ChartBreak,
    ChartSeries,
    ChartSpec,
    ChartStack,
)
from bot.models.figures import (
    Change,
    ClaimOut,
    FigureOut,
    Note,
    SourceRef,
)
from bot.models.knowledge import (
    SLUG,
    Claim,
    Figure,
    Framework,
    KBError,
    Metric,
    Qualifier,
    RowSource,
    SeriesFile,
    Source,
    SourceKind,
)
from bot.models.points import (
    DataPoint,
    Origin,
    SeriesCoverage,
    ValueChange,
)
from bot.models.query import (
    DateWindow,
    ErrorInfo,
    Query,
    QueryIntent,
    QueryKind,
    QueryView,
)
from bot.models.scoreboard import (
    ClaimSide,
    Direction,
    Scoreboard,
    ScoreCell,
    ScoreRow,
)

__all__ = [
    "Answer",
    "Change",
    "ChartBar",
    "ChartBreak",
    "ChartSeries",
    "ChartSpec",
    "ChartStack",
    "Claim",
    "ClaimOut",
    "ClaimSide",
    "DataPoint",
    "DataRow",
    "DateWindow",
    "Direction",
    "ErrorInfo",
    "Figure",
    "FigureOut",
    "Framework",
    "KBError",
    "Metric",
    "Note",
    "Origin",
    "Qualifier",
    "Query",
    "QueryIntent",
    "QueryKind",
    "QueryView",
    "RowSource",
    "SLUG",
    "ScoreCell",
    "ScoreRow",
    "Scoreboard",
    "SeriesCoverage",
    "SeriesFile",
    "Source",
    "SourceKind",
    "SourceRef",
    "TableRow",
    "ValueChange",
]
