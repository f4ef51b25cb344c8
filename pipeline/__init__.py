"""perfreport: structured facts from Chinese government performance self-evaluation reports (绩效自评报告)."""
